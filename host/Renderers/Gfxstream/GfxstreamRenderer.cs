using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary>
/// libgfxstream_backend, global state like virglrenderer: initialised once per process when it
/// loads, with context and resource ids passed through unchanged, so one device (one loop) at a
/// time may hold it. Its fence callback comes from gfxstream's own threads.
/// <para>Not exercised on the project's machines: the library is not packaged for Debian 12.</para>
/// </summary>
public sealed unsafe class GfxstreamRenderer : RendererLibrary
{
    private const ulong InitFlags = GfxstreamNative.FlagUseEgl | GfxstreamNative.FlagUseSurfaceless |
        GfxstreamNative.FlagUseGles | GfxstreamNative.FlagUseVulkan;

    private static readonly RendererProbe<GfxstreamRenderer> Probed = new();

    private GfxstreamRenderer(ILogger logger, Dictionary<CapsetId, RendererCapset> capsets)
        : base(logger, capsets)
    {
    }

    public static GfxstreamRenderer? TryOpen(ILogger logger, out string? problem) => TryOpen(GfxstreamNative.Library, logger, out problem);

    /// <param name="library">Which library to look for; a test names a missing one to see the refusal.</param>
    public static GfxstreamRenderer? TryOpen(string library, ILogger logger, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return Probed.Open(library, GfxstreamNative.Library, GfxstreamNative.TryLoad,
            () => (Probe(logger, out string? reason), reason), reason => GfxstreamLog.Unavailable(logger, reason), out problem);
    }

    /// <summary>Initialised once, when probed, for the life of the process: a device only takes its turn.</summary>
    private protected override RendererRefusal Start(EventLoop loop) => RendererRefusal.None;

    internal override string Name => "gfxstream";

    private protected override void Stop()
    {
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
        var capsets = RendererCapset.ReadAll([CapsetId.GfxstreamVulkan, CapsetId.GfxstreamGles], GfxstreamNative.GetCapSet, GfxstreamNative.FillCaps);
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
            if ((fence->Flags & GfxstreamNative.FenceFlagRingIndex) != 0)
                Probed.Instance?.SignalFence(fence->ContextId, fence->RingIndex, fence->FenceId);
        }
        catch (Exception exception)
        {
            // An exception must not unwind into C.
            if (Probed.Instance is { } renderer) renderer.Logger.LogError(exception, "Signalling a gfxstream fence failed");
        }
    }
}
