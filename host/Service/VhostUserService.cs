using CrossDomain.Host.Device;
using CrossDomain.Host.Metrics;
using CrossDomain.Host.Queues;
using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Service;

/// <summary>
/// The host service: listens on the vhost-user socket and serves one virtio-gpu device per
/// connection. The socket is bound in <see cref="StartAsync"/>, so when systemd hears "ready" a VMM
/// can connect. The listener runs on one event-loop thread, and each device on one of its own.
/// </summary>
/// <param name="metrics">Every device of this service records there, tagged with its number.</param>
public sealed class VhostUserService(
    HostServiceOptions options,
    ContextTypeRegistry registry,
    VirtioGpuDeviceOptions deviceOptions,
    ILoggerFactory loggerFactory,
    HostMetrics metrics) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("crossdomain-host");
    private int _devicesCreated;
    private EventLoop? _loop;
    private VhostUserServer? _server;
    private Thread? _thread;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string directory = Path.GetDirectoryName(options.Socket) ?? "/";
        if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        _loop = new EventLoop();
        // What throws on the listener's loop is logged; the devices' loops end their session instead.
        _loop.CallbackFailed = exception => ServiceLog.LoopFault(_logger, exception);
        var listener = UnixListener.Bind(options.Socket);
        var deviceLogger = loggerFactory.CreateLogger("crossdomain-host.device");
        _server = new VhostUserServer(listener, _loop, (window, deviceLoop) => CreateDevice(window, deviceLoop, deviceLogger), logger: loggerFactory.CreateLogger("crossdomain-host.vhost-user"));
        _thread = new Thread(() => _loop.Run()) { Name = "vhost-user listener", IsBackground = true };
        _thread.Start();
        ServiceLog.Listening(_logger, options.Socket, string.Join(", ", registry.InCapsetIdOrder.Select(type => type.CapsetId)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null) return Task.CompletedTask;
        // Sessions are closed on their own thread: the loop owns every device and mapping.
        _loop.Post(() => _server?.Dispose());
        _loop.Stop();
        _thread?.Join();
        return Task.CompletedTask;
    }

    public void Dispose() => _loop?.Dispose();

    private IVhostUserDevice CreateDevice(IHostVisibleWindow window, EventLoop loop, ILogger logger)
    {
        // Each device is made on its own thread.
        var deviceMetrics = metrics.ForDevice(Interlocked.Increment(ref _devicesCreated));
        var device = new VirtioGpuDevice(deviceOptions, registry, EmptyGuestMemory.Instance, window, logger, loop, deviceMetrics);
        int maxRequest = checked(deviceOptions.Limits.MaxSubmitBytes + 64);
        return new VhostUserGpuDevice(device, maxRequest, logger, loop);
    }
}

internal static partial class ServiceLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Listening on {Socket} (capsets: {Capsets})")]
    public static partial void Listening(ILogger logger, string socket, string capsets);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "The listener's loop caught a fault; it goes on")]
    public static partial void LoopFault(ILogger logger, Exception exception);
}
