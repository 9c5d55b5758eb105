using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// <c>drm_virtgpu_get_caps</c>: copies min(<see cref="Size"/>, capset size) bytes of a capset
/// into the user buffer at <see cref="Address"/>. A size of 0 is EINVAL.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuGetCaps
{
    public uint CapsetId;
    public uint CapsetVersion;
    public ulong Address;
    public uint Size;
    public uint Padding;
}
