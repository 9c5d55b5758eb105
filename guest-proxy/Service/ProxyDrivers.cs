using CrossDomain.VirtioGpu.Driver;

namespace CrossDomain.GuestProxy.Service;

/// <summary>How the proxy opens a virtio-gpu driver for each client, by transport.</summary>
internal static class ProxyDrivers
{
    public static Func<IVirtioGpuDriver> For(GuestProxyOptions options) => options.Transport switch
    {
        GuestProxyTransport.Local => () => LocalVirtioGpu.Connect(options.HostSocket!),
        _ => () => throw new VirtioGpuDriverException(
            $"the kernel transport ({options.Device}) is not built yet; use --transport local", Tmds.Linux.LibC.ENOTSUP),
    };
}
