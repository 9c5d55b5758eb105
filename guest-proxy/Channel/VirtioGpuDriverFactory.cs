using CrossDomain.VirtioGpu.Driver;

namespace CrossDomain.GuestProxy.Channel;

/// <summary>
/// Makes the virtio-gpu driver the options ask for. Each call opens a fresh one, because a driver
/// holds one context and each Wayland client gets its own channel, as sommelier does.
/// </summary>
public static class VirtioGpuDriverFactory
{
    public static IVirtioGpuDriver Open(GuestProxyOptions options) => options.Transport switch
    {
        GuestProxyTransport.Kernel => KernelVirtioGpu.Open(options.Device),
        GuestProxyTransport.Local => LocalVirtioGpu.Connect(options.HostSocket
            ?? throw new InvalidOperationException("the local transport needs --host-socket")),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Transport, "unknown transport"),
    };
}
