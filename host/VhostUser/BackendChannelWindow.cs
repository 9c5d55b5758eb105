using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// The device's host-visible window over vhost-user: the front-end owns the address space, and
/// the back-end places fds in it with SHMEM_MAP / SHMEM_UNMAP on the back-end channel. One object
/// for the whole session; the channel behind it may come, be replaced (SET_BACKEND_REQ_FD again)
/// or break, and <see cref="Size"/> is 0 whenever no mapping can be made.
/// <para>
/// With REPLY_ACK a SHMEM_MAP carries NEED_REPLY and the call waits (poll, bounded) for the
/// ack, so true means "mapped"; a SHMEM_UNMAP is only sent (see <see cref="TryUnmap"/>). A missing or late ack gives the channel up: a late ack could
/// otherwise be taken for the next request's. Call on the session's loop thread.
/// </para>
/// </summary>
public sealed class BackendChannelWindow : IHostVisibleWindow, IDisposable
{
    private readonly int _replyTimeoutMilliseconds;
    private VhostUserChannel? _backendChannel;
    private ulong _size;
    private bool _waitsForAcks;

    private readonly Action<BackendRequest, ChannelError> _givenUp;

    /// <param name="givenUp">Told once per channel given up: the request it failed on and why.</param>
    internal BackendChannelWindow(int replyTimeoutMilliseconds, Action<BackendRequest, ChannelError> givenUp)
    {
        _replyTimeoutMilliseconds = replyTimeoutMilliseconds;
        _givenUp = givenUp;
    }

    /// <summary>The window size announced in GET_SHMEM_CONFIG while a channel can carry SHMEM_MAP; else 0.</summary>
    public ulong Size => _backendChannel is null ? 0 : _size;

    /// <summary>Why the last channel was given up; None while one works or none was given.</summary>
    public ChannelError LastChannelError { get; private set; }

    public bool TryMap(FileDescriptor fd, ulong fdOffset, ulong windowOffset, ulong length, bool writable)
    {
        if (!IsInside(windowOffset, length) || fdOffset % PageSize != 0) return false;
        var mapping = new ShmemMapping
        {
            ShmId = (byte)SharedMemoryId.HostVisible,
            FdOffset = fdOffset,
            ShmOffset = windowOffset,
            Length = length,
            Flags = writable ? ShmemMapFlags.Writable : ShmemMapFlags.None,
        };
        return Request(BackendRequest.ShmemMap, mapping, fd, waitForAck: _waitsForAcks);
    }

    public bool HasFrontEnd => _backendChannel is not null;

    public bool TryUnmap(ulong windowOffset, ulong length)
    {
        if (!IsInside(windowOffset, length)) return false;
        var mapping = new ShmemMapping
        {
            ShmId = (byte)SharedMemoryId.HostVisible,
            ShmOffset = windowOffset,
            Length = length,
        };
        // No ack asked, whatever REPLY_ACK says. QEMU (11.1) answers an unmap only after it has told
        // us of its new memory layout (REM_MEM_REG, with an ack it waits for) on the front-end
        // socket, which this loop does not read while it waits: the two would wait on each other
        // until the reply timeout. The channel keeps order, so a later SHMEM_MAP of the range comes
        // after the unmap, and the front-end's memory update is read when this command is done.
        return Request(BackendRequest.ShmemUnmap, mapping, null, waitForAck: false);
    }

    public void Dispose() => Detach();

    /// <summary>Takes over a new back-end channel, closing the one before; <paramref name="size"/> 0: nothing may be mapped.</summary>
    internal void Attach(VhostUserChannel channel, ulong size, bool waitsForAcks)
    {
        Detach();
        _backendChannel = channel;
        _size = size;
        _waitsForAcks = waitsForAcks;
        LastChannelError = ChannelError.None;
    }

    internal void Detach()
    {
        _backendChannel?.Dispose();
        _backendChannel = null;
    }

    private static ulong PageSize => (ulong)Environment.SystemPageSize;

    private bool IsInside(ulong windowOffset, ulong length) =>
        length > 0 && windowOffset % PageSize == 0 && windowOffset <= Size && length <= Size - windowOffset;

    private bool Request(BackendRequest request, in ShmemMapping mapping, FileDescriptor? fd, bool waitForAck)
    {
        if (_backendChannel is not { } channel) return false;
        var flags = MessageFlags.Version1 | (waitForAck ? MessageFlags.NeedReply : MessageFlags.None);
        var status = fd is null
            ? channel.Send((uint)request, flags, mapping)
            : channel.Send((uint)request, flags, mapping, [fd]);
        if (status == SendStatus.Queued) status = channel.FlushWithin(_replyTimeoutMilliseconds);
        if (status != SendStatus.Sent) return GiveUp(channel, request);
        if (!waitForAck) return true;

        var result = channel.ReceiveWithin(_replyTimeoutMilliseconds, out var reply);
        if (!result.IsMessage)
        {
            if (result.Status == ReceiveStatus.TimedOut) channel.Break(ChannelError.TimedOut);
            return GiveUp(channel, request);
        }
        using (reply)
        {
            if (reply!.Request != (uint)request || !reply.TryRead(out ulong answer))
            {
                channel.Break(ChannelError.MismatchedReply);
                return GiveUp(channel, request);
            }
            return answer == 0;
        }
    }

    private bool GiveUp(VhostUserChannel channel, BackendRequest request)
    {
        LastChannelError = channel.Error;
        Detach();
        _givenUp(request, LastChannelError);
        return false;
    }
}
