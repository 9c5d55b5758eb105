using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.Host.Virgl;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Gfxstream;

/// <summary>
/// libgfxstream_backend, global state like virglrenderer: initialised once per process when it
/// loads, with context and resource ids passed through unchanged, so one device (one loop) at a
/// time may hold it. Its fence callback comes from gfxstream's own threads.
/// <para>Not exercised on the project's machines: the library is not packaged for Debian 12.</para>
/// </summary>
public sealed unsafe class GfxstreamRenderer : IRendererLibrary
{
    private const ulong InitFlags = GfxstreamNative.FlagUseEgl | GfxstreamNative.FlagUseSurfaceless |
        GfxstreamNative.FlagUseGles | GfxstreamNative.FlagUseVulkan;

    private static readonly RendererProbe<GfxstreamRenderer> Probed = new();

    // One device's loop at a time holds the renderer (ids pass through unchanged).
    private static readonly Lock OwnershipLock = new();
    private static readonly Dictionary<uint, ContextFenceSignal> FenceSignals = [];

    private readonly Dictionary<CapsetId, RendererCapset> _capsets;
    private EventLoop? _owner;
    private int _users;

    private GfxstreamRenderer(ILogger logger, Dictionary<CapsetId, RendererCapset> capsets)
    {
        Logger = logger;
        _capsets = capsets;
    }

    public IEnumerable<CapsetId> Capsets => _capsets.Keys.Order();

    internal ILogger Logger { get; }

    public static GfxstreamRenderer? TryOpen(ILogger logger, out string? problem) => TryOpen(GfxstreamNative.Library, logger, out problem);

    /// <param name="library">Which library to look for; a test names a missing one to see the refusal.</param>
    public static GfxstreamRenderer? TryOpen(string library, ILogger logger, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return Probed.Open(library, GfxstreamNative.Library, GfxstreamNative.TryLoad,
            () => (Probe(logger, out string? reason), reason), reason => GfxstreamLog.Unavailable(logger, reason), out problem);
    }

    bool IRendererLibrary.TryGetCapset(CapsetId capsetId, out RendererCapset capset) => TryGetCapset(capsetId, out capset);

    GpuError IRendererLibrary.Acquire(EventLoop loop) => Acquire(loop);

    void IRendererLibrary.Release() => Release();

    internal bool TryGetCapset(CapsetId capsetId, out RendererCapset capset) => _capsets.TryGetValue(capsetId, out capset!);

    /// <summary>Ids pass through unchanged, so one device's loop at a time may hold the renderer.</summary>
    internal GpuError Acquire(EventLoop loop)
    {
        lock (OwnershipLock)
        {
            if (_owner is not null && _owner != loop) return GpuError.Unspecified;
            _owner = loop;
            _users++;
            return GpuError.None;
        }
    }

    internal void Release()
    {
        lock (OwnershipLock)
        {
            if (_users > 0 && --_users == 0) _owner = null;
        }
    }

    internal static void RegisterContext(uint contextId, ContextFenceSignal fences)
    {
        lock (FenceSignals) FenceSignals[contextId] = fences;
    }

    internal static void UnregisterContext(uint contextId)
    {
        lock (FenceSignals) FenceSignals.Remove(contextId);
    }

    private static GfxstreamRenderer? Probe(ILogger logger, out string? problem)
    {
        if (!GfxstreamNative.TryLoad(GfxstreamNative.Library, out problem)) return null;
        var parameters = stackalloc StreamRendererParam[3];
        // The user data only has to be non-null: the callbacks find the process's one renderer statically.
        parameters[0] = new StreamRendererParam { Key = GfxstreamNative.ParamUserData, Value = 1 };
        parameters[1] = new StreamRendererParam { Key = GfxstreamNative.ParamRendererFlags, Value = InitFlags };
        parameters[2] = new StreamRendererParam
        {
            Key = GfxstreamNative.ParamFenceCallback,
            Value = (ulong)(nint)(delegate* unmanaged<nint, StreamRendererFence*, void>)&OnFence,
        };
        int result = GfxstreamNative.Init(parameters, 3);
        if (result != 0)
        {
            problem = $"stream_renderer_init returned {result}";
            return null;
        }
        var capsets = new Dictionary<CapsetId, RendererCapset>();
        foreach (var capsetId in (ReadOnlySpan<CapsetId>)[CapsetId.GfxstreamVulkan, CapsetId.GfxstreamGles])
        {
            uint maxVersion = 0, maxSize = 0;
            GfxstreamNative.GetCapSet((uint)capsetId, &maxVersion, &maxSize);
            if (maxSize == 0 || maxSize > ContextTypeRegistry.MaxCapsetSize || maxVersion > 16) continue;
            var data = new byte[maxVersion + 1][];
            for (uint version = 0; version <= maxVersion; version++)
            {
                data[version] = new byte[maxSize];
                fixed (byte* destination = data[version]) GfxstreamNative.FillCaps((uint)capsetId, version, destination);
            }
            capsets[capsetId] = new RendererCapset(maxVersion, maxSize, data);
        }
        if (capsets.Count == 0)
        {
            GfxstreamNative.Teardown();
            problem = "the renderer reports neither gfxstream capset";
            return null;
        }
        GfxstreamLog.Available(logger, string.Join(", ", capsets.Keys.Order()));
        return new GfxstreamRenderer(logger, capsets);
    }

    /// <summary>From any of gfxstream's threads: the device's signal posts to its loop.</summary>
    [UnmanagedCallersOnly]
    private static void OnFence(nint userData, StreamRendererFence* fence)
    {
        try
        {
            if ((fence->Flags & GfxstreamNative.FenceFlagRingIndex) == 0 || fence->RingIndex > VirtioGpuLimits.MaxRingIndex) return;
            ContextFenceSignal? signal;
            lock (FenceSignals) FenceSignals.TryGetValue(fence->ContextId, out signal);
            signal?.Signal(fence->RingIndex, fence->FenceId);
        }
        catch (Exception exception)
        {
            // An exception must not unwind into C.
            if (Probed.Instance is { } renderer) renderer.Logger.LogError(exception, "Signalling a gfxstream fence failed");
        }
    }
}
