using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// A RESOURCE_CREATE_3D resource: an image or buffer held by a 3D renderer (Gallium's target,
/// format and bind flags). The device checks ids, levels, boxes and backing before it asks the
/// renderer to do anything; the renderer checks the format-dependent byte ranges.
/// </summary>
public abstract class Resource3D : GpuResource
{
    /// <summary>Gallium's PIPE_BUFFER: a buffer is one row of <see cref="Width"/> bytes.</summary>
    public const uint TargetBuffer = 0;

    /// <summary>Gallium allows at most 15 mip levels below the base (16384 = 2^14 texels).</summary>
    public const uint MaxLastLevel = 15;

    private protected Resource3D(in ResourceCreate3DCommand command) : base(command.ResourceId)
    {
        Target = command.Target;
        Format = command.Format;
        Bind = command.Bind;
        Width = command.Width;
        Height = command.Height;
        Depth = command.Depth;
        ArraySize = command.ArraySize;
        LastLevel = command.LastLevel;
    }

    public uint Target { get; }

    public uint Format { get; }

    public uint Bind { get; }

    public uint Width { get; }

    public uint Height { get; }

    public uint Depth { get; }

    public uint ArraySize { get; }

    public uint LastLevel { get; }

    /// <summary>
    /// Whether <paramref name="box"/> lies inside mip level <paramref name="level"/>, computed without
    /// overflow. Z counts depth slices of a 3D image or layers of an array (whichever it has).
    /// </summary>
    public bool Contains(uint level, in Box box)
    {
        if (level > LastLevel) return false;
        ulong width = Math.Max(1u, Width >> (int)level);
        ulong height = Math.Max(1u, Height >> (int)level);
        ulong slices = Math.Max(Math.Max(1u, Depth >> (int)level), ArraySize);
        return (ulong)box.X + box.Width <= width && (ulong)box.Y + box.Height <= height && (ulong)box.Z + box.Depth <= slices;
    }

    /// <summary>ATTACH_BACKING: the renderer may read and write these guest pages from now on.</summary>
    internal abstract GpuError AttachBacking(GuestBacking backing, IGuestMemory memory);

    /// <summary>DETACH_BACKING (or UNREF): the renderer lets go of the guest pages.</summary>
    internal abstract void DetachBacking();

    /// <summary>
    /// The memory table changed: the renderer's view of the attached pages moves to the new mapping
    /// before the old one goes away.
    /// </summary>
    internal abstract void GuestMemoryChanged(IGuestMemory memory);

    /// <summary>A checked TRANSFER_*_3D between the resource and its attached backing.</summary>
    internal abstract GpuError Transfer(TransferDirection direction, uint contextId, in TransferHost3DCommand command,
        IGuestMemory memory);
}
