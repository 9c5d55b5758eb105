using System.Runtime.InteropServices;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// The channel ring's side of a context: each POLL fence asks for one event, and this writes
/// exactly one — a RECEIVE of what the compositor sent, or a READ of what a read pipe gave —
/// into the channel ring at offset 0 and then signals that fence (PROTOCOL.md B.5, CMD_POLL).
/// <para>
/// Ordering and back-pressure: the compositor socket and the read pipes are watched on the device
/// loop only while a POLL fence waits. With no fence waiting nothing is read, so the guest, not
/// the host, decides the pace, and the compositor's excess stays in the kernel's socket buffer.
/// The ring holds one message, so a second message must never be written before the guest polls
/// again: each message consumes its fence, and the watches go when the last fence is used.
/// A fence may wait for ever (an idle compositor); it blocks nothing but itself.
/// </para>
/// <para>
/// The read pipes and write pipes have owners of their own (<see cref="ReadPipes"/>,
/// <see cref="WritePipes"/>): this reads the one and names the compositor's for the other.
/// </para>
/// </summary>
internal sealed class ChannelRing : IDisposable
{
    private const byte ChannelRingIndex = (byte)CrossDomainRing.Channel;

    private readonly GpuContextSetup _setup;
    private readonly HostItems _items;
    private readonly ReadPipes _readPipes;
    private readonly WritePipes _writePipes;
    private readonly CrossDomainContextLimits _limits;
    private readonly ILogger _logger;
    private readonly Queue<ulong> _pollFences = new();
    private readonly List<FileDescriptor> _receivedFds = new(UnixSocket.MaxFdsPerMessage);
    private readonly WaylandStreamFilter? _filter;
    private readonly string _vmName;

    /// <summary>The message being built: one ring's worth, as every guest allocates.</summary>
    private readonly byte[] _message = new byte[CrossDomainLimits.DefaultRingSize];

    private GuestBacking? _ring;
    private CompositorConnection? _compositor;
    private ulong _lastSignaledFence;
    // The firewall closed the compositor: the guest's next poll gets the end of stream.
    private bool _owesHangUp;
    private bool _disposed;

    public ChannelRing(GpuContextSetup setup, HostItems items, ReadPipes readPipes, WritePipes writePipes,
        CrossDomainContextLimits limits, WaylandStreamFilter? filter, string vmName, ILogger logger)
    {
        _setup = setup;
        _items = items;
        _readPipes = readPipes;
        _writePipes = writePipes;
        _limits = limits;
        _filter = filter;
        _vmName = vmName;
        _logger = logger;
    }

    /// <summary>INIT made the channel: events go into <paramref name="ring"/>, from <paramref name="compositor"/> if there is one.</summary>
    public void Start(GuestBacking ring, CompositorConnection? compositor)
    {
        _ring = ring;
        _compositor = compositor;
        UpdateWatches();
    }

    /// <summary>A ring-1 fence: signal it once one event is in the ring.</summary>
    public void AddPollFence(ulong fenceId)
    {
        // At or below the last signalled fence the device completes it at once; waiting on it here
        // would spend the next event on a fence the guest already saw complete.
        if (fenceId <= _lastSignaledFence) return;
        _pollFences.Enqueue(fenceId);
        UpdateWatches();
        // A closed compositor's watch is gone: an end of stream it still owes goes now.
        if (_owesHangUp) OnCompositorInput();
    }

    /// <summary>
    /// The firewall ended this context's stream: the compositor goes, and the guest is told with an
    /// end of stream at its next poll (or now, if one waits).
    /// </summary>
    public void CloseCompositor()
    {
        if (_compositor is null || _compositor.IsClosed) return;
        _compositor.Close();
        _owesHangUp = true;
        OnCompositorInput();
    }

    /// <summary>Called by the compositor connection when it is readable or hung up, and for an end of stream the firewall owes.</summary>
    public void OnCompositorInput()
    {
        try
        {
            if (!IsArmed)
            {
                // The lazy half of UpdateWatches: nobody wants these events yet, so stop reading.
                if (_compositor is { IsClosed: false }) _compositor.WantsInput = false;
                return;
            }
            int length = ReceiveFromCompositor();
            if (length > 0) Deliver(length, CrossDomainCommand.Receive);
        }
        catch (Exception exception)
        {
            CloseAfterFailure(exception);
        }
    }

    /// <summary>Called by <see cref="ReadPipes"/> when a watched pipe has data or its writer closed.</summary>
    public void OnReadPipeReady(ReadPipe pipe)
    {
        try
        {
            if (!IsArmed) return;
            int length = ReadFromPipe(pipe);
            if (length > 0) Deliver(length, CrossDomainCommand.Read);
        }
        catch (Exception exception)
        {
            CloseAfterFailure(exception);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _pollFences.Clear();
    }

    private bool IsArmed => !_disposed && _ring is not null && _pollFences.Count > 0;

    private int RingLength => (int)Math.Min(_ring!.Length, (ulong)_message.Length);

    private void UpdateWatches()
    {
        bool armed = IsArmed;
        // The compositor's watch is armed when a POLL arrives but disarmed only when the compositor
        // speaks while none waits (OnCompositorInput). In a steady exchange the guest's next POLL is
        // back before the compositor's next event, so this saves two epoll_ctl per round trip, and
        // the compositor is still not read while the guest cannot take its events.
        if (armed && _compositor is { IsClosed: false }) _compositor.WantsInput = true;
        _readPipes.IsWatched = armed;
    }

    /// <summary>Builds a RECEIVE in <see cref="_message"/>; returns its length, or 0 when there was nothing to read after all.</summary>
    private int ReceiveFromCompositor()
    {
        var compositor = _compositor!;
        var message = _message.AsSpan(0, RingLength);
        message[..CrossDomainSendReceive.Size].Clear();
        ref var receive = ref MemoryMarshal.AsRef<CrossDomainSendReceive>(message);
        // Only cmd: wayland-proxy-virtwl reads the first word whole and accepts exactly 5 or 6.
        receive.Header.Command = CrossDomainCommand.Receive;
        var payload = message[CrossDomainSendReceive.Size..];
        if (_owesHangUp)
        {
            _owesHangUp = false;
            return CrossDomainSendReceive.Size;
        }

        // A guest that never turns the compositor's fds into blobs would make us hold them without
        // bound; it loses its channel instead, with an orderly end of stream.
        if (_items.HeldFdCount > _limits.MaxHeldFds - UnixSocket.MaxFdsPerMessage)
        {
            CrossDomainLog.TooManyHeldFds(_logger, _setup.ContextId, _items.HeldFdCount);
            compositor.Close();
            return CrossDomainSendReceive.Size;
        }
        // Likewise when the device's fd budget, which all its contexts share, could not take a whole message's fds.
        if (!_setup.Fds.HasRoom(UnixSocket.MaxFdsPerMessage))
        {
            CrossDomainLog.DeviceFdsExhausted(_logger, _setup.ContextId, _setup.Fds.Limit);
            compositor.Close();
            return CrossDomainSendReceive.Size;
        }

        _receivedFds.Clear();
        // Received where the RECEIVE carries it; the firewall judges it there, behind the bytes it held.
        int held = _filter?.HeldEventLength ?? 0;
        if (held >= payload.Length)
        {
            // A guest ring too small to carry the registry event the firewall is assembling.
            CrossDomainLog.FirewallViolation(_logger, _vmName, _setup.ContextId, FirewallRule.MalformedMessage,
                $"a channel ring of {RingLength} bytes cannot carry a {held}-byte registry event");
            compositor.Close();
            return CrossDomainSendReceive.Size;
        }
        var result = compositor.Receive(payload[held..], _receivedFds);
        switch (result.Status)
        {
            case IoStatus.WouldBlock:
                return 0;
            case IoStatus.EndOfStream:
                // magma-gpu/rutabaga_gfx and libkrun: a RECEIVE of 0 bytes and no identifiers.
                CrossDomainLog.CompositorHungUp(_logger, _setup.ContextId);
                compositor.Close();
                return CrossDomainSendReceive.Size;
            case IoStatus.Failed or IoStatus.ControlTruncated:
                // Bytes were consumed (or fds dropped): the stream cannot be trusted any more.
                CrossDomainLog.ReceiveFailed(_logger, _setup.ContextId, result.Status, result.Errno);
                compositor.Close();
                return CrossDomainSendReceive.Size;
        }

        // Counted as received, before the fds the guest cannot be given are dropped.
        _setup.Metrics?.ReceivedFromCompositor(result.Bytes, _receivedFds.Count);
        int bytes = result.Bytes;
        if (_filter is not null)
        {
            if (_filter.FilterEvents(payload, bytes, out bytes) is { } violation)
            {
                CrossDomainLog.FirewallViolation(_logger, _vmName, _setup.ContextId, violation.Rule, violation.Message);
                foreach (var fd in _receivedFds) fd.Dispose();
                _receivedFds.Clear();
                compositor.Close();
                return CrossDomainSendReceive.Size;
            }
            // What was held back or dropped may leave nothing: fds still go now, with no bytes, as an event of their own.
            if (bytes == 0 && _receivedFds.Count == 0) return 0;
        }
        receive.IdentifierCount = AnnounceReceivedFds(ref receive);
        // Empty is how the guest hears of a hang-up: if every fd was dropped too, this is no event at all.
        if (bytes == 0 && receive.IdentifierCount == 0 && _filter is not null) return 0;
        receive.OpaqueDataSize = (uint)bytes;
        return CrossDomainSendReceive.Size + bytes;
    }

    /// <summary>
    /// Names each received fd for the guest as a host item, in the order they came; fds the channel
    /// cannot carry are closed and left out. When this returns, or throws, every fd is owned by an
    /// item or closed.
    /// </summary>
    private uint AnnounceReceivedFds(ref CrossDomainSendReceive receive)
    {
        uint count = 0;
        int next = 0;
        try
        {
            for (; next < _receivedFds.Count; next++)
            {
                var fd = _receivedFds[next];
                var kind = ReceivedFdClassifier.Classify(fd, out ulong size, out bool writable);
                // identifier_sizes is 32-bit: larger memory cannot be announced.
                if (kind == ReceivedFdKind.Memory && size > uint.MaxValue) kind = ReceivedFdKind.Unsupported;
                switch (kind)
                {
                    case ReceivedFdKind.Memory:
                        receive.Identifiers[(int)count] = _items.Add(new ReceivedMemory(fd, size, writable, _setup.Fds));
                        receive.IdentifierTypes[(int)count] = (uint)IdentifierType.VirtgpuBlob;
                        receive.IdentifierSizes[(int)count] = (uint)size;
                        count++;
                        break;
                    case ReceivedFdKind.WritePipe:
                        receive.Identifiers[(int)count] = _writePipes.Add(fd);
                        receive.IdentifierTypes[(int)count] = (uint)IdentifierType.WritePipe;
                        count++;
                        break;
                    default:
                        CrossDomainLog.UnsupportedFdClosed(_logger, _setup.ContextId, DescribeUnsupported(fd));
                        fd.Dispose();
                        break;
                }
            }
        }
        finally
        {
            for (; next < _receivedFds.Count; next++) _receivedFds[next].Dispose();
            _receivedFds.Clear();
        }
        return count;
    }

    /// <summary>Builds a READ in <see cref="_message"/>; returns its length, or 0 when there was nothing to read after all.</summary>
    private int ReadFromPipe(ReadPipe pipe)
    {
        var message = _message.AsSpan(0, RingLength);
        message[..CrossDomainReadWrite.Size].Clear();
        ref var read = ref MemoryMarshal.AsRef<CrossDomainReadWrite>(message);
        read.Header.Command = CrossDomainCommand.Read;
        read.Identifier = pipe.Id;

        var result = Pipe.Read(pipe.ReadEnd, message[CrossDomainReadWrite.Size..]);
        if (result.Status == IoStatus.WouldBlock) return 0;
        // Past the firewall's bound the transfer ends as if its source had closed; the context goes on.
        if (result.Status == IoStatus.Done && _filter?.CountGuestRead(pipe.Transfer, result.Bytes) is { } tooLarge)
            CrossDomainLog.FirewallViolation(_logger, _vmName, _setup.ContextId, tooLarge.Rule, tooLarge.Message);
        else if (result.Status == IoStatus.Done)
        {
            read.OpaqueDataSize = (uint)result.Bytes;
            return CrossDomainReadWrite.Size + result.Bytes;
        }
        // End of data, or a read error, which the guest cannot do more about: hang up either way.
        read.HangUp = 1;
        _readPipes.Close(pipe);
        return CrossDomainReadWrite.Size;
    }

    private void Deliver(int length, CrossDomainCommand command)
    {
        // The guest reads the ring once its fence signals, so the bytes go in first. A ring the
        // guest moved out of its memory loses the message, but the fence still signals: leaving
        // it would hang the guest's poll for ever.
        if (!_ring!.TryWrite(_setup.GuestMemory, 0, _message.AsSpan(0, length)))
            CrossDomainLog.ChannelRingUnwritable(_logger, _setup.ContextId, command);
        ulong fence = _pollFences.Dequeue();
        _lastSignaledFence = Math.Max(_lastSignaledFence, fence);
        // Fences queued out of order and at or below this one are signalled with it by the device.
        while (_pollFences.TryPeek(out ulong next) && next <= _lastSignaledFence) _pollFences.Dequeue();
        UpdateWatches();
        _setup.Fences.Signal(ChannelRingIndex, fence);
    }

    /// <summary>
    /// A loop callback that throws would stop the device loop, and with it every context: a
    /// failure in one costs this context its channel instead.
    /// </summary>
    private void CloseAfterFailure(Exception exception)
    {
        CrossDomainLog.ChannelEventThrew(_logger, exception, _setup.ContextId);
        _compositor?.Close();
        _readPipes.CloseAll();
    }

    /// <summary>What the fd is, as /proc names it ("socket:[1234]", "anon_inode:[eventfd]"), for the log.</summary>
    private static string DescribeUnsupported(FileDescriptor fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd.Fd}").LinkTarget ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
