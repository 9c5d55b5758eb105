using System.Diagnostics;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Listening;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.Host.CrossDomain;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Driver;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Tests.Support;

/// <summary>
/// The whole bridge in local mode, in this process: the host service (on a real vhost-user socket,
/// its cross-domain contexts connected to <paramref name="compositorSocketPath"/>) and the guest
/// proxy listening on a Wayland socket of its own, each client on its own channel. Clients are
/// real processes or our own codec, connecting to <see cref="SocketPath"/>.
/// </summary>
public sealed class BridgedProxy : IDisposable
{
    private const string SocketName = "wayland-bridge";
    private readonly InProcessHostService _host;
    private readonly DirectoryInfo _runtimeDirectory;

    private BridgedProxy(string compositorSocketPath, GlobalPolicy? policy, bool hostVisibleMemory = true)
    {
        _host = new InProcessHostService(new CrossDomainContextType(
            new CrossDomainOptions { WaylandSocketPath = compositorSocketPath }, TestLog.Factory.CreateLogger("crossdomain-host.cross-domain")));
        _runtimeDirectory = Directory.CreateTempSubdirectory("crossdomain-proxy-");
        File.SetUnixFileMode(_runtimeDirectory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            Server = new GuestProxyServer(WaylandSocketListener.Open(_runtimeDirectory.FullName, SocketName),
                () => CrossDomainChannel.Open(() => LocalVirtioGpu.Connect(_host.SocketPath, hostVisibleMemory: hostVisibleMemory)), policy ?? new GlobalPolicy(), new RelayMetrics(), null, DebugLog);
            Server.Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public GuestProxyServer Server { get; } = null!;

    private static ILogger DebugLog => TestLog.Factory.CreateLogger("crossdomain-proxy");

    public string HostSocketPath => _host.SocketPath;

    public string RuntimeDirectory => _runtimeDirectory.FullName;

    public string SocketPath => Path.Combine(RuntimeDirectory, SocketName);

    /// <param name="hostVisibleMemory">False: the proxy's device has no host-visible memory, as under QEMU's vhost-user-gpu-pci.</param>
    public static BridgedProxy Start(HeadlessWeston weston, GlobalPolicy? policy = null, bool hostVisibleMemory = true) =>
        new(weston.SocketPath, policy, hostVisibleMemory);

    /// <summary>The bridge in front of any compositor socket, a stand-in one included.</summary>
    public static BridgedProxy Start(string compositorSocketPath) => new(compositorSocketPath, null);

    /// <summary>The environment a Wayland client needs to reach the compositor through the bridge.</summary>
    public void ApplyTo(ProcessStartInfo start)
    {
        start.Environment["XDG_RUNTIME_DIR"] = RuntimeDirectory;
        start.Environment["WAYLAND_DISPLAY"] = SocketName;
        start.Environment.Remove("DISPLAY");
    }

    public UnixSocket Connect() => UnixSocket.Connect(SocketPath);

    /// <summary>The host service goes away (as when it is stopped or crashes), the proxy stays.</summary>
    public void StopHost() => _host.Dispose();

    /// <summary>Waits until the proxy serves exactly <paramref name="count"/> clients.</summary>
    public void WaitForClientCount(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Server.ClientCount != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the proxy has {Server.ClientCount} clients, not {count}");
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        Server?.Dispose();
        _host.Dispose();
        _runtimeDirectory.Delete(recursive: true);
    }
}
