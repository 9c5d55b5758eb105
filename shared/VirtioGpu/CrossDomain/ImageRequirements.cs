using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>GET_IMAGE_REQUIREMENTS, submitted on the query ring.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainGetImageRequirements
{
    public CrossDomainHeader Header;
    public uint Width;
    public uint Height;

    /// <summary>A DRM fourcc.</summary>
    public uint DrmFormat;

    public ImageUsageFlags Flags;
}

/// <summary>
/// The answer to GET_IMAGE_REQUIREMENTS, written at offset 0 of the query ring with no header.
/// <see cref="BlobId"/> names a reusable template: each HOST3D blob created from it is new
/// memory with this layout.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainImageRequirements
{
    public FixedArray4<uint> Strides;
    public FixedArray4<uint> Offsets;
    public ulong Modifier;

    /// <summary>Rounded up to the host page size; a blob made from the template must have exactly this size.</summary>
    public ulong Size;

    public uint BlobId;

    /// <summary>Cache type and access bits, see <see cref="Protocol.MapInfoBits"/>.</summary>
    public uint MapInfo;

    /// <summary>Vulkan memory type index, or -1.</summary>
    public int MemoryIndex;

    /// <summary>Deprecated; always -1.</summary>
    public int PhysicalDeviceIndex;
}
