using System.Diagnostics.Metrics;

namespace CrossDomain.Host.Metrics;

/// <summary>
/// The host's counters as System.Diagnostics metrics (meter <see cref="MeterName"/>, readable with
/// <c>dotnet-counters monitor --counters CrossDomain.Host -n crossdomain-host</c>). One per service;
/// each device records through its own <see cref="DeviceMetrics"/>, which tags it.
/// </summary>
public sealed class HostMetrics : IDisposable
{
    public const string MeterName = "CrossDomain.Host";

    public HostMetrics()
    {
        Meter = new Meter(MeterName);
        Commands = Meter.CreateCounter<long>("crossdomain.host.commands", "{command}",
            "control-queue commands answered, by result (ok or error)");
        CommandErrors = Meter.CreateCounter<long>("crossdomain.host.command.errors", "{command}",
            "control-queue commands answered with an error, by response type");
        CommandBytes = Meter.CreateCounter<long>("crossdomain.host.command.bytes", "By",
            "control-queue request bytes read, headers included");
        Fences = Meter.CreateCounter<long>("crossdomain.host.fences", "{fence}",
            "fenced commands whose reply went back to the guest");
        FenceLatency = Meter.CreateHistogram<double>("crossdomain.host.fence.latency", "ms",
            "from a fenced command's arrival to its reply going back");
        CrossDomainBytes = Meter.CreateCounter<long>("crossdomain.host.cross_domain.bytes", "By",
            "Wayland bytes passed between guest and compositor (SEND and RECEIVE payloads)");
        CrossDomainFds = Meter.CreateCounter<long>("crossdomain.host.cross_domain.fds", "{fd}",
            "fds passed between guest and compositor");
        Devices = Meter.CreateUpDownCounter<int>("crossdomain.host.devices", "{device}",
            "virtio-gpu devices being served (one per VM connection)");
        Contexts = Meter.CreateUpDownCounter<int>("crossdomain.host.contexts", "{context}",
            "guest GPU contexts alive");
    }

    /// <summary>This service's meter: tests listen to it alone, other services in the process have their own.</summary>
    public Meter Meter { get; }

    internal Counter<long> Commands { get; }

    internal Counter<long> CommandErrors { get; }

    internal Counter<long> CommandBytes { get; }

    internal Counter<long> Fences { get; }

    internal Histogram<double> FenceLatency { get; }

    internal Counter<long> CrossDomainBytes { get; }

    internal Counter<long> CrossDomainFds { get; }

    internal UpDownCounter<int> Devices { get; }

    internal UpDownCounter<int> Contexts { get; }

    /// <summary>What device number <paramref name="device"/> records through (its "device" tag).</summary>
    public DeviceMetrics ForDevice(int device) => new(this, device);

    public void Dispose() => Meter.Dispose();
}
