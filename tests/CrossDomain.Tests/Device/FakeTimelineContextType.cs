using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

/// <summary>
/// A FAKE context type for device tests, standing in for the real ones (the cross-domain context is
/// being written separately; virgl needs a renderer). Its contexts record what the device asks of
/// them and signal fences only when the test says so (or at once, when
/// <see cref="SignalFencesAtOnce"/> is set), so fence ordering can be driven step by step.
/// </summary>
internal sealed class FakeTimelineContextType(CapsetId capsetId, uint capsetMaxSize = 64, uint capsetMaxVersion = 0, bool is3D = false)
    : IContextType
{
    public CapsetId CapsetId => capsetId;

    public uint CapsetMaxVersion => capsetMaxVersion;

    public uint CapsetMaxSize => capsetMaxSize;

    public bool Is3D => is3D;

    /// <summary>Returned by <see cref="CreateContext"/> instead of a context, when set.</summary>
    public GpuError CreateError { get; set; }

    public bool SignalFencesAtOnce { get; set; }

    public List<FakeTimelineContext> Created { get; } = [];

    public FakeTimelineContext this[uint contextId] => Created.Single(context => context.Setup.ContextId == contextId && !context.IsDisposed);

    /// <summary>Capset bytes that say which capset and version they are: byte i = id + version + i.</summary>
    public static byte ExpectedCapsetByte(CapsetId capsetId, uint version, int index) => (byte)((uint)capsetId + version + (uint)index);

    public void WriteCapset(uint version, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = ExpectedCapsetByte(capsetId, version, i);
    }

    public GpuError CreateContext(GpuContextSetup setup, out IGpuContext? context)
    {
        context = null;
        if (CreateError != GpuError.None) return CreateError;
        var created = new FakeTimelineContext(setup) { SignalFencesAtOnce = SignalFencesAtOnce };
        Created.Add(created);
        context = created;
        return GpuError.None;
    }
}
