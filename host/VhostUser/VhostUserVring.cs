using CrossDomain.Interop;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// One ring's configuration as the front-end gave it, and its state (vhost-user.rst "Ring
/// states"): started (kick fd received, areas translated) and, independently, enabled. The device
/// processes it while <see cref="IsProcessing"/>; a started but disabled ring is consumed
/// without side effects; a stopped ring is never touched.
/// </summary>
public sealed class VhostUserVring : IDisposable
{
    internal VhostUserVring(int index) => Index = index;

    public int Index { get; }

    /// <summary>Entries (SET_VRING_NUM); a power of two up to 32768, 0 until set.</summary>
    public int Size { get; internal set; }

    /// <summary>Where to resume reading the available ring (SET_VRING_BASE), valid when the ring starts.</summary>
    public ushort BaseIndex { get; internal set; }

    /// <summary>SET_VRING_ADDR as received: front-end user addresses.</summary>
    public VringAddress? UserAddresses { get; internal set; }

    /// <summary>The translated areas; meaningful only while <see cref="IsStarted"/>.</summary>
    public VringAreas Areas { get; internal set; }

    /// <summary>Signalled by the driver; the session watches it and reports kicks to the device.</summary>
    public EventFd? Kick { get; private set; }

    /// <summary>
    /// The interrupt eventfd. The front-end replaces it often (QEMU masks and unmasks), so read
    /// this property each time instead of keeping the object; null: no interrupts for now.
    /// </summary>
    public EventFd? Call { get; private set; }

    /// <summary>Where to report ring errors; may be null.</summary>
    public EventFd? Error { get; private set; }

    public bool IsStarted { get; internal set; }

    public bool IsEnabled { get; internal set; }

    public bool IsProcessing => IsStarted && IsEnabled;

    internal FdWatch? KickWatch { get; private set; }

    /// <summary>Interrupts the driver, when it gave a call fd.</summary>
    public void SignalGuest() => Call?.Signal();

    internal void ReplaceKick(EventFd? kick, FdWatch? watch)
    {
        KickWatch?.Dispose();
        Kick?.Dispose();
        Kick = kick;
        KickWatch = watch;
    }

    internal void ReplaceCall(EventFd? call)
    {
        Call?.Dispose();
        Call = call;
    }

    internal void ReplaceError(EventFd? error)
    {
        Error?.Dispose();
        Error = error;
    }

    /// <summary>Back to the state of a new connection (RESET_DEVICE): stopped, disabled, no fds.</summary>
    internal void Reset()
    {
        Dispose();
        Size = 0;
        BaseIndex = 0;
        UserAddresses = null;
        Areas = default;
        IsStarted = false;
        IsEnabled = false;
    }

    public void Dispose()
    {
        ReplaceKick(null, null);
        ReplaceCall(null);
        ReplaceError(null);
    }
}

/// <summary>
/// One part of a split virtqueue (descriptor table, available ring or used ring) as mapped in
/// this process, with its guest-physical address for code that goes through IGuestMemory.
/// </summary>
public readonly record struct VringArea(nint HostAddress, ulong GuestPhysicalAddress, int Length)
{
    /// <summary>Valid while the ring is started and the memory table unchanged.</summary>
    public unsafe Span<byte> AsSpan() => new((void*)HostAddress, Length);
}

/// <summary>
/// The three areas of a started split ring, translated from the front-end's user addresses.
/// Lengths always include the event-index fields (used_event, avail_event), so the areas are
/// whole whether or not EVENT_IDX is negotiated.
/// </summary>
public readonly record struct VringAreas(VringArea DescriptorTable, VringArea AvailableRing, VringArea UsedRing);
