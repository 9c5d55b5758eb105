using CrossDomain.GuestProxy;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Driver;

namespace CrossDomain.Tests.Proxy;

public sealed class VirtioGpuDriverFactoryTests
{
    [Fact]
    public void The_kernel_transport_opens_the_device_and_names_it_when_missing()
    {
        var options = new GuestProxyOptions { Transport = GuestProxyTransport.Kernel, Device = "/nonexistent/dri/renderD128" };

        var error = Assert.Throws<VirtioGpuDriverException>(() => VirtioGpuDriverFactory.Open(options));

        Assert.Contains(options.Device, error.Message);
    }

    [Fact]
    public void The_local_transport_connects_a_fresh_driver_each_time()
    {
        using var host = new InProcessHostService();
        var options = new GuestProxyOptions { Transport = GuestProxyTransport.Local, HostSocket = host.SocketPath };

        using var first = VirtioGpuDriverFactory.Open(options);
        using var second = VirtioGpuDriverFactory.Open(options);

        Assert.IsType<LocalVirtioGpu>(first);
        Assert.NotSame(first, second);
    }
}
