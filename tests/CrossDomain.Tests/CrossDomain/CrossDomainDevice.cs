using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.CrossDomain.Gbm;
using CrossDomain.Host.Device;
using CrossDomain.Host.Metrics;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// A virtio-gpu device with the real cross-domain context type, driven in-process through
/// <see cref="VirtioGpuDevice.HandleControl"/> (see <see cref="DeviceHarness"/>). It hands out
/// what a guest kernel would: guest pages, resource ids, fence ids from one counter, and offsets
/// in the host-visible window.
/// </summary>
internal sealed class CrossDomainDevice : IDisposable
{
    private int _nextGuestPage;
    private uint _nextResourceId = 1;
    private ulong _nextFenceId;
    private ulong _nextWindowOffset;

    /// <param name="compositorSocketPath">Where contexts connect for the Wayland channel; null for a host without a compositor.</param>
    /// <param name="gbm">The host's GBM allocator (the caller disposes it after the device); null for memfd images only.</param>
    /// <param name="metrics">Where the device records its metrics; none by default.</param>
    /// <param name="time">The device's clock; the system's by default.</param>
    /// <param name="firewall">
    /// The Wayland firewall; off unless given, since most tests here relay bytes that are not
    /// Wayland to a stand-in compositor, to see the channel carry them unchanged.
    /// </param>
    public CrossDomainDevice(string? compositorSocketPath, CrossDomainContextLimits? limits = null, DeviceLimits? deviceLimits = null,
        GbmAllocator? gbm = null, DeviceMetrics? metrics = null, TimeProvider? time = null, WaylandFirewallOptions? firewall = null)
    {
        var logger = new RecordingLogger();
        Logger = logger;
        Options = new CrossDomainOptions
        {
            WaylandSocketPath = compositorSocketPath,
            Limits = limits ?? new CrossDomainContextLimits(),
            Gbm = gbm,
            Firewall = firewall ?? new WaylandFirewallOptions { Enabled = false },
        };
        Type = new CrossDomainContextType(Options, logger);
        Harness = new DeviceHarness(deviceLimits, [Type], logger: logger, metrics: metrics, time: time);
    }

    public CrossDomainOptions Options { get; }

    /// <summary>What the device and its contexts logged.</summary>
    public RecordingLogger Logger { get; }

    public CrossDomainContextType Type { get; }

    public DeviceHarness Harness { get; }

    /// <summary>Guest-physical address of <paramref name="count"/> fresh, contiguous guest pages.</summary>
    public ulong AllocateGuestPages(int count)
    {
        ulong address = DeviceHarness.GuestPage(_nextGuestPage);
        _nextGuestPage += count;
        Assert.True(address + (ulong)count * DeviceHarness.PageSize <= MemfdGuestMemory.End, "the test ran out of guest memory");
        return address;
    }

    public uint NextResourceId() => _nextResourceId++;

    /// <summary>As the Linux driver: one counter for every fence of every context and ring.</summary>
    public ulong NextFenceId() => ++_nextFenceId;

    public ulong AllocateWindowRange(ulong size)
    {
        ulong offset = _nextWindowOffset;
        _nextWindowOffset += (size + DeviceHarness.PageSize - 1) / DeviceHarness.PageSize * DeviceHarness.PageSize;
        Assert.True(_nextWindowOffset <= DeviceHarness.WindowSize, "the test ran out of host-visible window");
        return offset;
    }

    /// <summary>CTX_CREATE of a cross-domain context, as a guest proxy's CONTEXT_INIT makes the kernel send it.</summary>
    public CrossDomainGuest CreateGuest(uint contextId)
    {
        Harness.SendOk(GpuRequests.CreateContext(contextId, (uint)CapsetId.CrossDomain, "crossdomain-test"));
        return new CrossDomainGuest(this, contextId);
    }

    public void Dispose() => Harness.Dispose();
}
