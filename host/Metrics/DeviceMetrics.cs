using System.Diagnostics;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Metrics;

/// <summary>
/// One device's side of <see cref="HostMetrics"/>: every measurement carries its "device" tag.
/// Called per command, so nothing here allocates: the tag values are boxed once, here, and the
/// instruments take their tags on the stack.
/// </summary>
public sealed class DeviceMetrics
{
    private static readonly KeyValuePair<string, object?> s_ok = new("result", "ok");
    private static readonly KeyValuePair<string, object?> s_error = new("result", "error");
    private static readonly KeyValuePair<string, object?> s_toCompositor = new("direction", "to_compositor");
    private static readonly KeyValuePair<string, object?> s_fromCompositor = new("direction", "from_compositor");

    private readonly HostMetrics _host;
    private readonly KeyValuePair<string, object?> _device;

    internal DeviceMetrics(HostMetrics host, int device)
    {
        _host = host;
        Device = device;
        _device = new KeyValuePair<string, object?>("device", device);
    }

    /// <summary>The "device" tag: the service numbers its devices from 1 as VMs connect.</summary>
    public int Device { get; }

    /// <summary>
    /// When a fenced command arrived, for <see cref="FenceReturned"/>; 0 when nobody measures fence
    /// latency, which spares the clock read.
    /// </summary>
    internal long FencedCommandArrived() => _host.FenceLatency.Enabled ? Stopwatch.GetTimestamp() : 0;

    internal void CommandAnswered(int requestBytes, CommandType response)
    {
        bool isError = response >= CommandType.ErrorUnspecified;
        _host.Commands.Add(1, _device, isError ? s_error : s_ok);
        _host.CommandBytes.Add(requestBytes, _device);
        if (isError) _host.CommandErrors.Add(1, _device, new KeyValuePair<string, object?>("response", ResponseName(response)));
    }

    /// <param name="arrivedAt">From <see cref="FencedCommandArrived"/>; 0 records no latency.</param>
    internal void FenceReturned(long arrivedAt)
    {
        _host.Fences.Add(1, _device);
        if (arrivedAt != 0) _host.FenceLatency.Record(Stopwatch.GetElapsedTime(arrivedAt).TotalMilliseconds, _device);
    }

    internal void DeviceStarted() => _host.Devices.Add(1);

    internal void DeviceStopped() => _host.Devices.Add(-1);

    internal void ContextCreated() => _host.Contexts.Add(1, _device);

    internal void ContextDestroyed() => _host.Contexts.Add(-1, _device);

    internal void SentToCompositor(int bytes, int fds) => CrossDomainTraffic(bytes, fds, s_toCompositor);

    internal void ReceivedFromCompositor(int bytes, int fds) => CrossDomainTraffic(bytes, fds, s_fromCompositor);

    private void CrossDomainTraffic(int bytes, int fds, KeyValuePair<string, object?> direction)
    {
        _host.CrossDomainBytes.Add(bytes, _device, direction);
        if (fds > 0) _host.CrossDomainFds.Add(fds, _device, direction);
    }

    /// <summary>The virtio spec's names (VIRTIO_GPU_RESP_ERR_*), as literals so tagging allocates nothing.</summary>
    private static string ResponseName(CommandType response) => response switch
    {
        CommandType.ErrorUnspecified => "err_unspec",
        CommandType.ErrorOutOfMemory => "err_out_of_memory",
        CommandType.ErrorInvalidScanoutId => "err_invalid_scanout_id",
        CommandType.ErrorInvalidResourceId => "err_invalid_resource_id",
        CommandType.ErrorInvalidContextId => "err_invalid_context_id",
        CommandType.ErrorInvalidParameter => "err_invalid_parameter",
        _ => "err_other",
    };
}
