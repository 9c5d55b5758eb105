using CrossDomain.Host;
using CrossDomain.Host.Device;
using CrossDomain.Host.Metrics;
using CrossDomain.Host.Service;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Tests.Support;

/// <summary>
/// The real host service (<see cref="VhostUserService"/>) on a private socket in this process,
/// with the context types a test registers: the code path a VMM reaches, minus the process.
/// </summary>
public sealed class InProcessHostService : IDisposable
{
    private readonly VhostUserService _service;
    private readonly DirectoryInfo _directory;

    public InProcessHostService(params IContextType[] contextTypes)
    {
        _directory = Directory.CreateTempSubdirectory("crossdomain-host-");
        SocketPath = Path.Combine(_directory.FullName, "gpu.sock");
        var registry = new ContextTypeRegistry();
        foreach (var type in contextTypes) registry.Register(type);
        _service = new VhostUserService(new HostServiceOptions { Socket = SocketPath }, registry, new VirtioGpuDeviceOptions(), TestLog.Factory, Metrics);
        _service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private bool _disposed;

    public string SocketPath { get; }

    /// <summary>This service's metrics, alone on their meter: a test's listener hears only this service.</summary>
    public HostMetrics Metrics { get; } = new();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _service.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _service.Dispose();
        Metrics.Dispose();
        _directory.Delete(recursive: true);
    }
}
