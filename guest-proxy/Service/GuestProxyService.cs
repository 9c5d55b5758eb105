using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Listening;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.VirtioGpu.Driver;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Service;

/// <summary>
/// crossdomain-proxy as a service. The device was checked and the Wayland socket (its own, or
/// systemd's) is listening before the host starts, so systemd's READY=1 means clients can connect,
/// and a startup failure is one line rather than a hosting error.
/// </summary>
internal sealed class GuestProxyService(GuestProxyServer server) : IHostedService, IDisposable
{
    /// <summary>What the service needs ready before it starts: a device that answers and a listening socket.</summary>
    public static GuestProxyServer Prepare(GuestProxyInvocation.Serve serve, ILoggerFactory loggers)
    {
        Func<IVirtioGpuDriver> openDriver = () => VirtioGpuDriverFactory.Open(serve.Options);
        CheckDevice(openDriver);
        var listener = WaylandSocketListener.FromSystemdEnvironment(Environment.ProcessId)
            ?? WaylandSocketListener.Open(Path.GetDirectoryName(serve.WaylandSocketPath)!, Path.GetFileName(serve.WaylandSocketPath));
        ProxyServiceLog.Listening(loggers.CreateLogger(GuestProxyCommandLine.ProgramName), listener.SocketPath ?? "the socket systemd passed");
        return ProxyServerFactory.Create(listener, openDriver, serve.Options, loggers);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        server.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => server.Dispose();

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
