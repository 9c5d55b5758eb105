using CrossDomain.Host.Device;
using CrossDomain.Host.Metrics;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

/// <summary>
/// A <see cref="VirtioGpuDevice"/> driven in-process: memfd guest RAM, a recording window, a fake
/// cross-domain context type (unless the test brings its own types), and a real
/// <see cref="EventLoop"/> that the test thread pumps: the test thread is the device's loop thread.
/// On dispose it checks the device logged no error (which would mean a command threw).
/// </summary>
internal sealed class DeviceHarness : IDisposable
{
    public const ulong WindowSize = 64 << 20;
    public const uint PageSize = 4096;

    /// <param name="logger">The device's logger, for context types the test made with it; a new one by default.</param>
    /// <param name="metrics">Where the device records its metrics; none by default.</param>
    /// <param name="time">The device's clock (its log allowance runs on it); the system's by default.</param>
    public DeviceHarness(DeviceLimits? limits = null, IEnumerable<IContextType>? contextTypes = null,
        VirtioGpuDeviceOptions? options = null, RecordingLogger? logger = null, DeviceMetrics? metrics = null,
        TimeProvider? time = null)
    {
        Logger = logger ?? new RecordingLogger();
        CrossDomainType = new FakeTimelineContextType(CapsetId.CrossDomain);
        foreach (var type in contextTypes ?? [CrossDomainType]) Registry.Register(type);
        options ??= new VirtioGpuDeviceOptions();
        if (limits is not null) options.Limits = limits;
        Device = new VirtioGpuDevice(options, Registry, Memory, Window, Logger, Loop, metrics, time);
    }

    public MemfdGuestMemory Memory { get; } = new();

    public RecordingHostVisibleWindow Window { get; } = new(WindowSize);

    public ContextTypeRegistry Registry { get; } = new();

    public RecordingLogger Logger { get; }

    public EventLoop Loop { get; } = new();

    public FakeTimelineContextType CrossDomainType { get; }

    public VirtioGpuDevice Device { get; }

    /// <summary>Set by a test that makes the device log an error on purpose.</summary>
    public bool ErrorsExpected { get; set; }

    /// <summary>Guest-physical address of page <paramref name="index"/> of guest RAM.</summary>
    public static ulong GuestPage(int index) => MemfdGuestMemory.BaseAddress + (ulong)index * PageSize;

    public RecordingReply Send(byte[] request, int capacity = 1 << 17)
    {
        var reply = new RecordingReply(capacity);
        Device.HandleControl(request, reply);
        return reply;
    }

    /// <summary>Sends a request that must succeed at once, and returns its reply.</summary>
    public RecordingReply SendOk(byte[] request, CommandType expected = CommandType.OkNoData)
    {
        var reply = Send(request);
        Assert.True(reply.IsCompleted, $"{GpuRequestName(request)} was not answered");
        Assert.Equal(expected, reply.Type);
        return reply;
    }

    /// <summary>Sends a request that must fail at once with <paramref name="error"/>.</summary>
    public void SendFails(byte[] request, GpuError error)
    {
        var reply = Send(request);
        Assert.True(reply.IsCompleted, $"{GpuRequestName(request)} was not answered");
        Assert.Equal(error.ToResponseType(), reply.Type);
        Assert.Equal(CommandResultHeaderSize, reply.Response.Length);
    }

    /// <summary>
    /// Sends a request the device itself must refuse at once for <paramref name="reason"/>: the guest
    /// gets the reason's error, and the log names the reason.
    /// </summary>
    public void SendRefused(byte[] request, DeviceRefusal reason)
    {
        int before = Logger.Entries.Count;
        SendFails(request, reason.ToGpuError());
        Assert.Equal(reason, Assert.Single(Logger.Entries.Skip(before), IsCommandFailure).Value("Reason"));
    }

    /// <summary>Sends a request the device hands to a context, which must refuse it with <paramref name="error"/>.</summary>
    public void SendRefusedByContext(byte[] request, GpuError error)
    {
        int before = Logger.Entries.Count;
        SendFails(request, error);
        Assert.Equal(DeviceRefusal.ContextRefused, Assert.Single(Logger.Entries.Skip(before), IsCommandFailure).Value("Reason"));
    }

    /// <summary>The device's refusals logged so far, oldest first.</summary>
    public IEnumerable<DeviceRefusal> Refusals =>
        Logger.Entries.Where(IsCommandFailure).Select(entry => (DeviceRefusal)entry.Value("Reason")!);

    private static bool IsCommandFailure(RecordedLogEntry entry) => entry.EventId.Name == nameof(DeviceLog.CommandFailed);

    /// <summary>
    /// One turn of the device loop without waiting: fd callbacks, then the work other threads
    /// posted. Returns how many callbacks ran; a turn that runs posted work also counts the loop's
    /// own wake-up.
    /// </summary>
    public int RunLoopOnce() => Loop.RunOnce(0);

    /// <summary>Turns the device loop until <paramref name="condition"/> holds; fails after <paramref name="timeout"/>.</summary>
    public void RunLoopUntil(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Loop.RunOnce(20);
        }
    }

    public FakeTimelineContext CreateContext(uint contextId, CapsetId capsetId = CapsetId.CrossDomain)
    {
        SendOk(GpuRequests.CreateContext(contextId, (uint)capsetId));
        return ((FakeTimelineContextType)RegistryType(capsetId))[contextId];
    }

    /// <summary>A 2D resource with a backing of one contiguous run at <paramref name="backingAddress"/>.</summary>
    public void Create2DWithBacking(uint resourceId, uint width, uint height, ulong backingAddress)
    {
        SendOk(GpuRequests.Create2D(resourceId, width, height));
        SendOk(GpuRequests.AttachBacking(resourceId, GpuRequests.Entry(backingAddress, width * height * 4)));
    }

    public void Dispose()
    {
        Device.Dispose();
        Loop.Dispose();
        Window.Dispose();
        Memory.Dispose();
        if (!ErrorsExpected) Assert.Empty(Logger.Errors);
    }

    private const int CommandResultHeaderSize = 24;

    private IContextType RegistryType(CapsetId capsetId) =>
        Registry.TryGet(capsetId, out var type) ? type : throw new InvalidOperationException($"No type for {capsetId}");

    private static string GpuRequestName(byte[] request) =>
        request.Length >= 4 ? ((CommandType)BitConverter.ToUInt32(request, 0)).ToString() : "a short request";
}
