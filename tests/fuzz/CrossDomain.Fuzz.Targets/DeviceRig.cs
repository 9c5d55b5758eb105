using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// A real <see cref="VirtioGpuDevice"/> with the real cross-domain context type, driven on the
/// calling thread as its loop thread, as the queue layer drives it. Built per input and disposed
/// after it; held replies must all be answered by then, since destroying a context answers them.
/// </summary>
internal sealed class DeviceRig : IDisposable
{
    public const ulong GuestBase = 0x1000_0000;
    public const int GuestLength = 256 << 10;
    public const ulong WindowSize = 16 << 20;
    public const uint PageSize = 4096;

    private readonly List<FuzzReply> _replies = [];

    // A request the device deferred (NotYet), handed in again before anything else, as the queue layer does.
    private byte[]? _waiting;
    private FuzzReply? _waitingReply;

    public DeviceRig(string? compositorSocketPath)
    {
        // Small limits: the fuzzer should reach "too many" and "too big" in a few commands, not a few thousand.
        var limits = new DeviceLimits { MaxResources = 32, MaxContexts = 8, MaxPendingFences = 16, MaxHostMemoryBytes = 8 << 20 };
        Registry.Register(new CrossDomainContextType(
            new CrossDomainOptions { WaylandSocketPath = compositorSocketPath, Limits = new CrossDomainContextLimits() }, Logger));
        Device = new VirtioGpuDevice(new VirtioGpuDeviceOptions { Limits = limits }, Registry, Memory, Window, Logger, Loop);
    }

    public ArrayGuestMemory Memory { get; } = new(GuestBase, GuestLength);

    public FindingLogger Logger { get; } = new();

    public EventLoop Loop { get; } = new();

    public ContextTypeRegistry Registry { get; } = new();

    internal FuzzWindow Window { get; } = new(WindowSize);

    public VirtioGpuDevice Device { get; }

    /// <summary>The guest writes <paramref name="data"/> into its RAM at <paramref name="offset"/> (wrapped), cut at the end of RAM.</summary>
    public void WriteGuestMemory(uint offset, ReadOnlySpan<byte> data)
    {
        offset %= GuestLength;
        var target = Memory.At(GuestBase + offset, GuestLength - (int)offset);
        data[..Math.Min(data.Length, target.Length)].CopyTo(target);
    }

    public static ulong GuestPage(int index) => GuestBase + (ulong)index * PageSize;

    /// <summary>
    /// Sends one request; false when its reply is held for a fence or deferred. While a deferred
    /// request still cannot be taken, later ones are not handed to the device (they would wait in
    /// the guest's ring).
    /// </summary>
    public bool Send(ReadOnlySpan<byte> request, int capacity = 4096)
    {
        if (_waiting is not null)
        {
            if (!Device.HandleControl(_waiting, _waitingReply!)) return false;
            _replies.Add(_waitingReply!);
            _waiting = null;
            _waitingReply = null;
        }
        var reply = new FuzzReply(capacity);
        if (!Device.HandleControl(request, reply))
        {
            _waiting = request.ToArray();
            _waitingReply = reply;
            return false;
        }
        _replies.Add(reply);
        return reply.Completions > 0;
    }

    /// <summary>Tears the device down and checks what it left: every reply answered exactly once, nothing logged as an error.</summary>
    public void Dispose()
    {
        Device.Dispose();
        // Work posted by contexts as they closed runs, or is dropped, with the loop.
        Loop.RunOnce(0);
        Loop.Dispose();
        Logger.ThrowIfErrors();
        int unanswered = _replies.Count(reply => reply.Completions == 0);
        if (unanswered > 0) throw new FuzzFindingException($"{unanswered} replies were never answered, not even when the device went away");
    }
}
