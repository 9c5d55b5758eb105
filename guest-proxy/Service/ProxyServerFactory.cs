using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Listening;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.VirtioGpu.Driver;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Service;

/// <summary>The relay server as the options describe it: policy, tracing, metrics.</summary>
internal static class ProxyServerFactory
{
    public static GuestProxyServer Create(WaylandSocketListener listener, Func<IVirtioGpuDriver> openDriver, GuestProxyOptions options, ILoggerFactory loggers)
    {
        GlobalPolicy.TryParse(options.Globals, out var allowList, out _);
        var policy = new GlobalPolicy(allowList.Count > 0 ? allowList : null);
        var tracer = options.Trace ? new MessageTracer(loggers.CreateLogger("crossdomain-proxy.trace")) : null;
        return new GuestProxyServer(listener, () => CrossDomainChannel.Open(openDriver), policy, new RelayMetrics(), tracer, loggers.CreateLogger("crossdomain-proxy.relay"));
    }
}
