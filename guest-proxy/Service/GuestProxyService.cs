using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Listening;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.VirtioGpu.Driver;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Service;

/// <summary>
/// crossdomain-proxy as a service: the Wayland socket (its own, or systemd's) is listening and the
/// device answers before the host reports "started", so systemd's READY=1 means clients can connect.
/// </summary>
internal sealed class GuestProxyService(GuestProxyInvocation.Serve serve, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private GuestProxyServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("crossdomain-proxy");
        Func<IVirtioGpuDriver> openDriver = () => VirtioGpuDriverFactory.Open(serve.Options);
        CheckDevice(openDriver);
        var listener = WaylandSocketListener.FromSystemdEnvironment(Environment.ProcessId)
            ?? WaylandSocketListener.Open(Path.GetDirectoryName(serve.WaylandSocketPath)!, Path.GetFileName(serve.WaylandSocketPath));
        _server = ProxyServerFactory.Create(listener, openDriver, serve.Options, loggers);
        _server.Start();
        ProxyServiceLog.Listening(logger, listener.SocketPath ?? "the socket systemd passed");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _server?.Dispose();
        _server = null;
    }

    /// <summary>Opens one channel and closes it: a host that is not there is one clear error at startup, not one per client.</summary>
    public static void CheckDevice(Func<IVirtioGpuDriver> openDriver)
    {
        try
        {
            CrossDomainChannel.Open(openDriver()).Dispose();
        }
        catch (Exception failure) when (failure is VirtioGpuDriverException or IOException or System.ComponentModel.Win32Exception)
        {
            throw new IOException($"no cross-domain channel to the host compositor: {failure.Message}", failure);
        }
    }
}
