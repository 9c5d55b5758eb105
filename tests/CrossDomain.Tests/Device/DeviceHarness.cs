using System.Collections.Concurrent;
using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

/// <summary>
/// A <see cref="VirtioGpuDevice"/> driven in-process: memfd guest RAM, a recording window, a fake
/// cross-domain context type, and a queue standing in for the device loop's posted work. On
/// dispose it checks the device logged no error (which would mean a command threw).
/// </summary>
internal sealed class DeviceHarness : IDisposable
{
    public const ulong WindowSize = 64 << 20;
    public const uint PageSize = 4096;

    public DeviceHarness(DeviceLimits? limits = null, IEnumerable<IContextType>? contextTypes = null,
        VirtioGpuDeviceOptions? options = null)
    {
        CrossDomainType = new FakeTimelineContextType(CapsetId.CrossDomain);
        foreach (var type in contextTypes ?? [CrossDomainType]) Registry.Register(type);
        options ??= new VirtioGpuDeviceOptions();
        if (limits is not null) options.Limits = limits;
        Device = new VirtioGpuDevice(options, Registry, Memory, Window, Logger, Posted.Enqueue);
    }

    public MemfdGuestMemory Memory { get; } = new();

    public RecordingHostVisibleWindow Window { get; } = new(WindowSize);

    public ContextTypeRegistry Registry { get; } = new();

    public RecordingLogger Logger { get; } = new();

    public ConcurrentQueue<Action> Posted { get; } = new();

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

    /// <summary>What the device loop would do next: run the work other threads posted to it.</summary>
    public int RunPosted()
    {
        int ran = 0;
        while (Posted.TryDequeue(out var action))
        {
            action();
            ran++;
        }
        return ran;
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
