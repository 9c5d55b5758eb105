using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>RESOURCE_CREATE_3D (virgl): the description is Gallium's, passed through to the renderer.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ResourceCreate3DCommand
{
    /// <summary><c>VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP</c> in <see cref="Resource3DDescription.Flags"/>.</summary>
    public const uint FlagY0Top = 1;

    public ControlHeader Header;
    public uint ResourceId;
    public Resource3DDescription Description;
    public uint Padding;
}

/// <summary>
/// What a 3D resource is, in Gallium's terms: target, format, bind flags, size, levels, samples
/// and flags. RESOURCE_CREATE_3D, the kernel's <c>drm_virtgpu_resource_create</c> and
/// virglrenderer's <c>virgl_renderer_resource_create_args</c> carry these ten words in this order,
/// so each embeds this one struct and a description passes from one to the next unchanged.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Resource3DDescription
{
    public uint Target;
    public uint Format;
    public uint Bind;
    public uint Width;
    public uint Height;
    public uint Depth;
    public uint ArraySize;
    public uint LastLevel;
    public uint SampleCount;
    public uint Flags;
}

/// <summary>TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D share this layout.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TransferHost3DCommand
{
    public ControlHeader Header;
    public Box Box;
    public ulong Offset;
    public uint ResourceId;
    public uint Level;
    public uint Stride;
    public uint LayerStride;
}

/// <summary>
/// SUBMIT_3D: <see cref="Size"/> bytes of context-type-specific commands follow, for context
/// <c>Header.ContextId</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Submit3DCommand
{
    public ControlHeader Header;
    public uint Size;

    /// <summary>crosvm reads this as <c>num_in_fences</c> for a downstream extension; upstream guests send 0.</summary>
    public uint Padding;
}
