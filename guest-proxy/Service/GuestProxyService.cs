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
        var openDriver = ProxyDrivers.For(serve.Options);
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

internal static class ProxyServerFactory
{
    public static GuestProxyServer Create(WaylandSocketListener listener, Func<IVirtioGpuDriver> openDriver, GuestProxyOptions options, ILoggerFactory loggers)
    {
        GlobalPolicy.TryParse(options.Globals, out var allowList, out _);
        var policy = new GlobalPolicy(allowList.Count > 0 ? allowList : null);
        var tracer = options.Trace ? new MessageTracer(loggers.CreateLogger("crossdomain-proxy.trace")) : null;
        return new GuestProxyServer(listener, openDriver, policy, new RelayMetrics(), tracer, loggers.CreateLogger("crossdomain-proxy.relay"));
    }
}

internal static partial class ProxyServiceLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Listening on {Socket}")]
    public static partial void Listening(ILogger logger, string socket);
}
