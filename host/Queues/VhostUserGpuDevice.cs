using CrossDomain.Host.Device;
using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.VirtioGpu.VhostUser;
using CrossDomain.VirtioGpu.Virtqueue;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Queues;

/// <summary>
/// The GPU as the vhost-user back-end sees it (<see cref="IVhostUserDevice"/>): joins a session to
/// the device core, takes requests off the control and cursor rings, hands them to
/// <see cref="VirtioGpuDevice"/>, and returns each chain with its response.
/// Everything runs on the connection's loop thread, so nothing here is locked.
/// </summary>
public sealed class VhostUserGpuDevice : IVhostUserDevice, IDisposable
{
    public const int ControlQueue = 0;
    public const int CursorQueue = 1;

    /// <summary>
    /// Chains one turn of the loop takes off a ring. A guest that keeps its ring full would
    /// otherwise hold the loop, and every other fd and device on it, for as long as it likes.
    /// </summary>
    public const int ChainsPerTurn = 256;

    /// <summary>Largest request read off the control queue: SUBMIT_3D of the device's limit plus headers.</summary>
    private readonly int _maxRequestBytes;

    private readonly VirtioGpuDevice _device;
    private readonly ILogger _logger;
    private readonly EventLoop _loop;
    private readonly SplitVirtqueue?[] _queues = new SplitVirtqueue?[2];
    private readonly VhostUserVring?[] _vrings = new VhostUserVring?[2];
    // The queue whose rest of a batch is posted to the loop; its kicks wait for that turn.
    private readonly SplitVirtqueue?[] _resuming = new SplitVirtqueue?[2];
    private readonly Stack<ChainReply> _freeReplies = new();
    private byte[] _request = new byte[4096];
    private IGuestMemory _memory = EmptyGuestMemory.Instance;
    private bool _eventIndex;
    // While a batch is being processed its replies are published together and the guest is
    // interrupted once at the end, not once per command.
    private int _processingQueue = -1;

    // A request the device deferred (a context that cannot take it yet): it stays in _request,
    // which nothing else writes while it waits, and the control ring is not read past it.
    private ChainReply? _waiting;
    private int _waitingLength;
    private bool _disposed;

    /// <param name="loop">The loop the session calls on; a batch that spends its budget continues there.</param>
    public VhostUserGpuDevice(VirtioGpuDevice device, int maxRequestBytes, ILogger logger, EventLoop loop)
    {
        _device = device;
        _maxRequestBytes = maxRequestBytes;
        _logger = logger;
        _loop = loop;
        // Raised inside a context's callback: the ring is taken up again on the next turn.
        device.SubmissionsReady += () => _loop.Post(() => Process(ControlQueue));
    }

    public ulong DeviceFeatures => _device.DeviceFeatures
        | (ulong)(VirtioGpuFeatures.RingIndirectDescriptors | VirtioGpuFeatures.RingEventIndex);

    public int QueueCount => 2;

    public bool TryReadConfig(uint offset, Span<byte> destination)
    {
        if (offset > DeviceConfigLength || destination.Length > DeviceConfigLength - offset) return false;
        _device.ReadConfig(offset, destination);
        return true;
    }

    public bool TryWriteConfig(uint offset, ReadOnlySpan<byte> source, ConfigSpaceUpdate origin)
    {
        if (offset > DeviceConfigLength || source.Length > DeviceConfigLength - offset) return false;
        _device.WriteConfig(offset, source);
        return true;
    }

    public void FeaturesNegotiated(ulong features) =>
        _eventIndex = (features & (ulong)VirtioGpuFeatures.RingEventIndex) != 0;

    public void MemoryChanged(IGuestMemory? memory)
    {
        _memory = memory ?? EmptyGuestMemory.Instance;
        _device.GuestMemory = _memory;
        foreach (var queue in _queues)
            if (queue is not null) queue.Memory = _memory;
    }

    public void QueueStarted(VhostUserVring vring)
    {
        if (vring.Index >= _queues.Length) return;
        var areas = vring.Areas;
        var addresses = new VringAddresses((ushort)vring.Size, areas.DescriptorTable.GuestPhysicalAddress,
            areas.AvailableRing.GuestPhysicalAddress, areas.UsedRing.GuestPhysicalAddress);
        _queues[vring.Index] = new SplitVirtqueue(addresses, _memory, _eventIndex, vring.BaseIndex);
        _vrings[vring.Index] = vring;
        Process(vring.Index);
    }

    public ushort QueueStopped(VhostUserVring vring)
    {
        if (vring.Index >= _queues.Length || _queues[vring.Index] is not { } queue) return vring.BaseIndex;
        if (vring.Index == ControlQueue) AbandonWaiting();
        _queues[vring.Index] = null;
        _vrings[vring.Index] = null;
        _resuming[vring.Index] = null;
        return queue.NextAvail;
    }

    public void QueueEnabledChanged(VhostUserVring vring) => Process(vring.Index);

    public void QueueKicked(VhostUserVring vring) => Process(vring.Index);

    public void Reset()
    {
        AbandonWaiting();
        Array.Clear(_queues);
        Array.Clear(_vrings);
        Array.Clear(_resuming);
        _eventIndex = false;
        _device.Reset();
    }

    public void Dispose()
    {
        // A turn still posted must not reach a disposed device.
        _disposed = true;
        Array.Clear(_resuming);
        AbandonWaiting();
        _device.Dispose();
    }

    private void Process(int index)
    {
        if (_disposed || index >= _queues.Length || _queues[index] is not { } queue || _vrings[index] is not { } vring) return;
        // A broken ring ignores kicks until it is set up again; one with a turn posted gets to the
        // new entries in that turn.
        if (queue.IsBroken || _resuming[index] == queue) return;
        _processingQueue = index;
        try
        {
            ProcessBatches(index, queue, vring);
        }
        finally
        {
            _processingQueue = -1;
        }
        // Reported once: the ring is not looked at again, so a guest cannot flood the log with it.
        if (queue.IsBroken)
            _logger.LogWarning("queue {Queue}: the driver broke the ring ({Reason}); it is ignored until the front-end sets it up again", index, queue.BrokenReason);
    }

    private void ProcessBatches(int index, SplitVirtqueue queue, VhostUserVring vring)
    {
        if (index == ControlQueue && !RetryWaiting()) return;
        int budget = ChainsPerTurn;
        do
        {
            while (budget > 0 && queue.TryPop(out var chain))
            {
                budget--;
                if (!vring.IsEnabled)
                {
                    // Started but disabled: consume without side effects (vhost-user "Ring states").
                    queue.PushUsed(chain.Head, 0);
                    continue;
                }
                if (chain.Error != ChainError.None)
                {
                    // Debug, not Warning: a guest must not be able to flood the host's log.
                    _logger.LogDebug("queue {Queue}: dropped a malformed descriptor chain ({Error})", index, chain.Error);
                    queue.PushUsed(chain.Head, 0);
                    continue;
                }
                if (index == ControlQueue)
                {
                    if (!HandleControl(queue, chain))
                    {
                        // Kicks are left disarmed: the ring waits for the device, not the guest.
                        if (queue.ShouldNotify()) vring.SignalGuest();
                        return;
                    }
                }
                else HandleCursor(queue, chain);
            }
            if (queue.ShouldNotify()) vring.SignalGuest();
            if (budget == 0)
            {
                ContinueNextTurn(index, queue);
                return;
            }
        }
        while (queue.EnableKicksAndRecheck());
    }

    // Kicks are not re-armed here: the posted turn looks at the ring whether the guest kicks or not.
    private void ContinueNextTurn(int index, SplitVirtqueue queue)
    {
        _resuming[index] = queue;
        _loop.Post(() =>
        {
            // Stopped, restarted or reset since: the turn belonged to a ring that is gone.
            if (_resuming[index] != queue) return;
            _resuming[index] = null;
            if (_queues[index] == queue) Process(index);
        });
    }

    /// <summary>False when the device deferred the request: it waits in <see cref="_waiting"/>.</summary>
    private bool HandleControl(SplitVirtqueue queue, DescriptorChain chain)
    {
        if (chain.ReadableLength > _maxRequestBytes)
        {
            // Too big to be any command the device accepts: answer without reading it.
            var reply = RentReply(queue, chain);
            _device.HandleControl(ReadOnlySpan<byte>.Empty, reply);
            return true;
        }
        if (_request.Length < chain.ReadableLength) _request = new byte[Math.Max(chain.ReadableLength, _request.Length * 2)];
        int length = Math.Max(chain.CopyReadable(_memory, _request), 0);
        var pending = RentReply(queue, chain);
        if (_device.HandleControl(_request.AsSpan(0, length), pending)) return true;
        _waiting = pending;
        _waitingLength = length;
        return false;
    }

    /// <summary>Hands the waiting request to the device again; true once nothing waits any more.</summary>
    private bool RetryWaiting()
    {
        if (_waiting is not { } waiting) return true;
        if (!_device.HandleControl(_request.AsSpan(0, _waitingLength), waiting)) return false;
        _waiting = null;
        return true;
    }

    /// <summary>The ring is taken back or reset: the waiting request goes back unanswered.</summary>
    private void AbandonWaiting()
    {
        if (_waiting is not { } waiting) return;
        _waiting = null;
        waiting.Complete([]);
    }

    private void HandleCursor(SplitVirtqueue queue, DescriptorChain chain)
    {
        Span<byte> request = stackalloc byte[64];
        int length = chain.CopyReadable(_memory, request);
        if (length > 0) _device.HandleCursor(request[..length]);
        queue.PushUsed(chain.Head, 0);
    }

    private ChainReply RentReply(SplitVirtqueue queue, DescriptorChain chain)
    {
        var reply = _freeReplies.Count > 0 ? _freeReplies.Pop() : new ChainReply(this);
        reply.Start(queue, chain);
        return reply;
    }

    // A reply held on a fence may complete after its ring was stopped or replaced: then the
    // chain belongs to a queue the front-end has taken back, and must not be touched.
    private bool IsCurrent(SplitVirtqueue queue) => _queues[ControlQueue] == queue;

    private void Completed(ChainReply reply, SplitVirtqueue queue, ushort head, uint written)
    {
        if (IsCurrent(queue))
        {
            queue.PushUsed(head, written);
            if (_processingQueue != ControlQueue && queue.ShouldNotify()) _vrings[ControlQueue]?.SignalGuest();
        }
        _freeReplies.Push(reply);
    }

    private const uint DeviceConfigLength = 16;

    /// <summary>The writable part of one chain, kept until the device answers (maybe much later, on a fence).</summary>
    private sealed class ChainReply(VhostUserGpuDevice owner) : PendingReply
    {
        private readonly List<DescriptorSegment> _writable = new(2);
        private SplitVirtqueue? _queue;
        private ushort _head;
        private int _capacity;

        public override int Capacity => _capacity;

        public void Start(SplitVirtqueue queue, DescriptorChain chain)
        {
            _queue = queue;
            _head = chain.Head;
            _capacity = chain.WritableLength;
            _writable.Clear();
            // By index: foreach over the IReadOnlyList would box its enumerator, once per command.
            var segments = chain.Segments;
            for (int i = 0; i < segments.Count; i++)
                if (segments[i].DeviceWritable) _writable.Add(segments[i]);
        }

        public override void Complete(ReadOnlySpan<byte> response)
        {
            var queue = _queue ?? throw new InvalidOperationException("A reply was completed twice.");
            _queue = null;
            if (!owner.IsCurrent(queue))
            {
                owner.Completed(this, queue, _head, 0);
                return;
            }
            int written = DescriptorChain.WriteSegments(queue.Memory, _writable, response);
            owner.Completed(this, queue, _head, (uint)written);
        }
    }
}
