using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>
/// <c>virtio_gpu_mem_entry</c>: one guest-physical segment of a resource's backing, as it follows
/// ATTACH_BACKING and RESOURCE_CREATE_BLOB.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct MemoryEntry
{
    public ulong Address;
    public uint Length;
    public uint Padding;
}
