using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.Host.VhostUser;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// A stand-in for the device core: it records what the session tells it (read from the test
/// thread, so under a lock) and serves a virtio-gpu config space. Not a fake of anything the
/// session does: every byte still crosses a real socket.
/// </summary>
internal sealed class RecordingDevice : IVhostUserDevice
{
    public const ulong CrossDomainFeatures = (ulong)(VirtioGpuFeatures.Virgl | VirtioGpuFeatures.ResourceBlob
        | VirtioGpuFeatures.ContextInit | VirtioGpuFeatures.Version1);

    private readonly List<string> _events = [];
    private readonly int[] _kicks;
    private DeviceConfig _config = new() { ScanoutCount = 1, CapsetCount = 1, EventsRead = DeviceEvents.Display };

    public RecordingDevice(IHostVisibleWindow window, int queueCount = 2)
    {
        Window = window;
        QueueCount = queueCount;
        _kicks = new int[queueCount];
    }

    public IHostVisibleWindow Window { get; }

    public ulong DeviceFeatures { get; init; } = CrossDomainFeatures;

    public int QueueCount { get; }

    /// <summary>What QueueStopped answers: the "next available index" GET_VRING_BASE reports.</summary>
    public ushort StoppedAt { get; set; } = 42;

    public bool ThrowOnKick { get; set; }

    public IGuestMemory? Memory { get; private set; }

    public ulong NegotiatedFeatures { get; private set; }

    public DeviceConfig Config => _config;

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events) return _events.ToArray();
        }
    }

    public int Kicks(int queue) => Volatile.Read(ref _kicks[queue]);

    public bool TryReadConfig(uint offset, Span<byte> destination)
    {
        var bytes = MemoryMarshal.AsBytes(new Span<DeviceConfig>(ref _config));
        if (offset > (uint)bytes.Length || destination.Length > bytes.Length - (int)offset) return false;
        bytes.Slice((int)offset, destination.Length).CopyTo(destination);
        return true;
    }

    public bool TryWriteConfig(uint offset, ReadOnlySpan<byte> source, ConfigSpaceUpdate origin)
    {
        // Only events_clear is writable: write-one-to-clear on events_read.
        if (offset != 4 || source.Length != 4) return false;
        _config.EventsRead &= ~(DeviceEvents)MemoryMarshal.Read<uint>(source);
        Record($"config write {origin}");
        return true;
    }

    public void FeaturesNegotiated(ulong features)
    {
        NegotiatedFeatures = features;
        Record($"features 0x{features:x}");
    }

    public void MemoryChanged(IGuestMemory? memory)
    {
        Memory = memory;
        Record(memory is null ? "memory gone" : "memory");
    }

    public void QueueStarted(VhostUserVring vring) => Record($"started {vring.Index}");

    public ushort QueueStopped(VhostUserVring vring)
    {
        Record($"stopped {vring.Index}");
        return StoppedAt;
    }

    public void QueueEnabledChanged(VhostUserVring vring) => Record($"enabled {vring.Index} {vring.IsEnabled}");

    public void QueueKicked(VhostUserVring vring)
    {
        if (ThrowOnKick) throw new InvalidOperationException("device failure on purpose");
        Interlocked.Increment(ref _kicks[vring.Index]);
    }

    public void Reset() => Record("reset");

    private void Record(string entry)
    {
        lock (_events) _events.Add(entry);
    }
}
