using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// libvirglrenderer: probed once at startup (initialised, capsets read, cleaned up) and started
/// again by the first device that makes a virgl context or 3D resource, on that device's loop
/// thread, because the renderer's GL context belongs to the thread that initialised it. It is
/// cleaned up when that device's last virgl object goes (see <see cref="RendererLibrary"/>).
/// </summary>
public sealed unsafe class VirglRenderer : RendererLibrary
{
    /// <summary>
    /// EGL on Mesa's surfaceless platform needs no display or render node; THREAD_SYNC makes the
    /// renderer wait for GL fences on its own thread and signal a poll fd the device loop watches.
    /// </summary>
    private const int InitFlags = VirglNative.UseEgl | VirglNative.UseSurfaceless | VirglNative.ThreadSync;

    private static readonly RendererProbe<VirglRenderer> Probed = new();
    private static ILogger? s_messageLogger;

    private readonly HashSet<uint> _resourceIds = [];

    /// <summary>The renderer keeps this pointer for its whole life, so it is native and never freed.</summary>
    private readonly VirglCallbacks* _callbacks;

    private FdWatch? _pollWatch;

    private VirglRenderer(ILogger logger, Dictionary<CapsetId, RendererCapset> capsets, VirglCallbacks* callbacks)
        : base(logger, capsets)
    {
        _callbacks = callbacks;
    }

    /// <summary>
    /// The process's renderer, probed on the first call (from this thread): null, with the reason,
    /// when the library is missing or cannot initialise here. Logs one line either way.
    /// </summary>
    public static VirglRenderer? TryOpen(ILogger logger, out string? problem) => TryOpen(VirglNative.Library, logger, out problem);

    /// <param name="library">Which library to look for; a test names a missing one to see the refusal.</param>
    public static VirglRenderer? TryOpen(string library, ILogger logger, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return Probed.Open(library, VirglNative.Library, VirglNative.TryLoad,
            () => (Probe(logger, out string? reason), reason), reason => VirglLog.Unavailable(logger, reason), out problem);
    }

    private protected override void OnRefusedToAnotherDevice() => VirglLog.InUseElsewhere(Logger);

    internal override string Name => "virglrenderer";

    private protected override RendererRefusal Start(EventLoop loop)
    {
        int result = VirglNative.Init((nint)_callbacks, InitFlags, _callbacks);
        if (result != 0)
        {
            VirglLog.StartFailed(Logger, RendererRefusal.InitFailed, result);
            return RendererRefusal.InitFailed;
        }
        int pollFd = VirglNative.GetPollFd();
        if (pollFd < 0)
        {
            VirglNative.Cleanup((nint)_callbacks);
            VirglLog.StartFailed(Logger, RendererRefusal.NoPollFd, pollFd);
            return RendererRefusal.NoPollFd;
        }
        // The renderer owns the fd and closes it at cleanup.
        _pollWatch = loop.Watch(new FileDescriptor(pollFd, ownsHandle: false), Readiness.Readable, _ => VirglNative.Poll());
        return RendererRefusal.None;
    }

    private protected override void Stop()
    {
        _pollWatch?.Dispose();
        _pollWatch = null;
        _resourceIds.Clear();
        VirglNative.Cleanup((nint)_callbacks);
    }

    internal void RegisterResource(uint resourceId) => _resourceIds.Add(resourceId);

    internal void UnregisterResource(uint resourceId) => _resourceIds.Remove(resourceId);

    /// <summary>Whether <paramref name="resourceId"/> is a renderer resource (3D or virgl blob), not a 2D or cross-domain one.</summary>
    internal bool KnowsResource(uint resourceId) => _resourceIds.Contains(resourceId);

    private static VirglRenderer? Probe(ILogger logger, out string? problem)
    {
        if (!VirglNative.TryLoad(VirglNative.Library, out problem)) return null;
        var callbacks = (VirglCallbacks*)NativeMemory.AllocZeroed((nuint)sizeof(VirglCallbacks));
        callbacks->Version = VirglNative.CallbacksVersionWithContextFences;
        callbacks->WriteFence = (nint)(delegate* unmanaged<nint, uint, void>)&OnGlobalFence;
        callbacks->WriteContextFence = (nint)(delegate* unmanaged<nint, uint, uint, ulong, void>)&OnContextFence;
        s_messageLogger = logger;
        VirglNative.SetDebugCallback((nint)(delegate* unmanaged<nint, nint, void>)&OnMessage);

        int result = VirglNative.Init((nint)callbacks, InitFlags, callbacks);
        if (result != 0)
        {
            NativeMemory.Free(callbacks);
            problem = $"virgl_renderer_init with EGL surfaceless returned {result}";
            return null;
        }
        var capsets = RendererCapset.ReadAll([CapsetId.Virgl, CapsetId.Virgl2], VirglNative.GetCapSet, VirglNative.FillCaps);
        VirglNative.Cleanup((nint)callbacks);
        // Surfaceless EGL gives virglrenderer no GBM device, and only GBM buffers export: no HOST3D
        // blob it makes can become an fd, so the device can never map one into the guest. Mesa's
        // virgl asks for such blobs for persistent, coherent maps (its stream uploads, client-side
        // vertex arrays among them) when this bit is set and the device has host-visible memory,
        // and its draws then fail with GL_OUT_OF_MEMORY. Without it Mesa uploads through transfers.
        capsets.GetValueOrDefault(CapsetId.Virgl2)?.ClearBits(VirglNative.Caps2CapabilityBitsOffset, VirglNative.CapArbBufferStorage);
        if (capsets.Count == 0)
        {
            problem = "the renderer reports neither the VIRGL nor the VIRGL2 capset";
            return null;
        }
        var virgl = capsets.GetValueOrDefault(CapsetId.Virgl);
        var virgl2 = capsets.GetValueOrDefault(CapsetId.Virgl2);
        VirglLog.Available(logger, virgl?.MaxVersion ?? 0, virgl?.MaxSize ?? 0, virgl2?.MaxVersion ?? 0, virgl2?.MaxSize ?? 0);
        return new VirglRenderer(logger, capsets, callbacks);
    }

    /// <summary>
    /// The renderer's own messages ("gl_version 45 - core profile enabled" and the like), which it
    /// would otherwise print on stderr: logged at debug level as their format string, because a
    /// va_list cannot be formatted portably from here.
    /// </summary>
    [UnmanagedCallersOnly]
    private static void OnMessage(nint format, nint arguments)
    {
        try
        {
            if (s_messageLogger is { } logger && format != 0) VirglLog.RendererMessage(logger, Marshal.PtrToStringUTF8(format)!.TrimEnd());
        }
        catch (Exception)
        {
            // A message that cannot be logged is dropped: an exception must not unwind into C.
        }
    }

    /// <summary>ctx0 fences: this device never makes one, so there is nothing to signal.</summary>
    [UnmanagedCallersOnly]
    private static void OnGlobalFence(nint cookie, uint fenceId)
    {
    }

    /// <summary>Runs inside <see cref="VirglNative.Poll"/>, on the owning device's loop thread.</summary>
    [UnmanagedCallersOnly]
    private static void OnContextFence(nint cookie, uint contextId, uint ringIndex, ulong fenceId)
    {
        var renderer = Probed.Instance;
        if (renderer is null) return;
        try
        {
            renderer.SignalFence(contextId, ringIndex, fenceId);
        }
        catch (Exception exception)
        {
            // An exception must not unwind into C.
            renderer.Logger.LogError(exception, "Signalling virgl fence {FenceId} of context {ContextId} failed", fenceId, contextId);
        }
    }
}
