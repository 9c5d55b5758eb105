using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// A 3D context type whose renderer also keeps device-global resources (virgl): RESOURCE_CREATE_3D
/// names no context, so the device sends it to its default 3D type when that type implements this,
/// as rutabaga sends it to its default component.
/// </summary>
public interface IResource3DType
{
    /// <summary>
    /// Makes the host object for a RESOURCE_CREATE_3D the device has already checked (id free, sizes
    /// non-zero). <paramref name="loop"/> is the calling device's loop. The device owns the result.
    /// </summary>
    GpuError CreateResource3D(in ResourceCreate3DCommand command, EventLoop loop, out Resource3D? resource);
}
