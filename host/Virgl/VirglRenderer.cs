using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Virgl;

/// <summary>
/// libvirglrenderer, which is one global state per process: one instance here, probed once at
/// startup (initialised, capsets read, cleaned up) and started again by the first device that
/// makes a virgl context or 3D resource, on that device's loop thread, because the renderer's GL
/// context belongs to the thread that initialised it. Context and resource ids go to the renderer
/// unchanged, so one device at a time may use it; it is cleaned up when that device's last virgl
/// object goes, and another device may then take it.
/// <para>
/// The holder is known by its loop, and every device has a loop of its own (one thread per VM, see
/// <c>VhostUserServer</c>): a second VM is refused while the first holds the renderer, since its
/// contexts would share the renderer's tables and could attach and read the first one's resources.
/// </para>
/// </summary>
public sealed unsafe class VirglRenderer : IRendererLibrary
{
    /// <summary>
    /// EGL on Mesa's surfaceless platform needs no display or render node; THREAD_SYNC makes the
    /// renderer wait for GL fences on its own thread and signal a poll fd the device loop watches.
    /// </summary>
    private const int InitFlags = VirglNative.UseEgl | VirglNative.UseSurfaceless | VirglNative.ThreadSync;

    private static readonly RendererProbe<VirglRenderer> Probed = new();
    private static ILogger? s_messageLogger;

    private readonly ILogger _logger;
    private readonly Dictionary<CapsetId, RendererCapset> _capsets;
    private readonly Dictionary<uint, ContextFenceSignal> _fenceSignals = [];
    private readonly HashSet<uint> _resourceIds = [];

    /// <summary>The renderer keeps this pointer for its whole life, so it is native and never freed.</summary>
    private readonly VirglCallbacks* _callbacks;

    /// <summary>
    /// Guards only who holds the renderer: devices on other loops may ask at the same time. Every
    /// other call into the renderer comes from the holder's loop thread.
    /// </summary>
    private readonly Lock _ownership = new();

    private EventLoop? _owner;
    private int _users;
    private FdWatch? _pollWatch;

    private VirglRenderer(ILogger logger, Dictionary<CapsetId, RendererCapset> capsets, VirglCallbacks* callbacks)
    {
        _logger = logger;
        _capsets = capsets;
        _callbacks = callbacks;
    }

    /// <summary>The capsets the renderer offers: VIRGL and VIRGL2 when it is a GL renderer.</summary>
    public IEnumerable<CapsetId> Capsets => _capsets.Keys.Order();

    /// <summary>Whether a device's loop holds the renderer now.</summary>
    public bool IsStarted => _owner is not null;

    internal ILogger Logger => _logger;

    /// <summary>The loop of the device that holds the renderer, while one does.</summary>
    internal EventLoop? Owner => _owner;

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

    bool IRendererLibrary.TryGetCapset(CapsetId capsetId, out RendererCapset capset) => TryGetCapset(capsetId, out capset);

    GpuError IRendererLibrary.Acquire(EventLoop loop) => Acquire(loop);

    void IRendererLibrary.Release() => Release();

    internal bool TryGetCapset(CapsetId capsetId, out RendererCapset capset) => _capsets.TryGetValue(capsetId, out capset!);

    /// <summary>
    /// A context or resource of the device on <paramref name="loop"/> is about to be made: starts the
    /// renderer on this thread if no device holds it. Fails when another device does.
    /// </summary>
    internal GpuError Acquire(EventLoop loop)
    {
        lock (_ownership) return AcquireLocked(loop);
    }

    private GpuError AcquireLocked(EventLoop loop)
    {
        if (_owner is not null && _owner != loop)
        {
            VirglLog.InUseElsewhere(_logger);
            return GpuError.Unspecified;
        }
        if (_users == 0)
        {
            int result = VirglNative.Init((nint)_callbacks, InitFlags, _callbacks);
            if (result != 0)
            {
                VirglLog.StartFailed(_logger, $"virgl_renderer_init returned {result}");
                return GpuError.Unspecified;
            }
            int pollFd = VirglNative.GetPollFd();
            if (pollFd < 0)
            {
                VirglNative.Cleanup((nint)_callbacks);
                VirglLog.StartFailed(_logger, "no poll fd: fences could never signal");
                return GpuError.Unspecified;
            }
            // The renderer owns the fd and closes it at cleanup.
            _pollWatch = loop.Watch(new FileDescriptor(pollFd, ownsHandle: false), Readiness.Readable, _ => VirglNative.Poll());
            _owner = loop;
        }
        _users++;
        return GpuError.None;
    }

    /// <summary>The counterpart of a successful <see cref="Acquire"/>: the last one cleans the renderer up.</summary>
    internal void Release()
    {
        lock (_ownership) ReleaseLocked();
    }

    private void ReleaseLocked()
    {
        if (_users == 0 || --_users > 0) return;
        _pollWatch?.Dispose();
        _pollWatch = null;
        _fenceSignals.Clear();
        _resourceIds.Clear();
        VirglNative.Cleanup((nint)_callbacks);
        _owner = null;
    }

    internal void RegisterContext(uint contextId, ContextFenceSignal fences) => _fenceSignals[contextId] = fences;

    internal void UnregisterContext(uint contextId) => _fenceSignals.Remove(contextId);

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
        var capsets = new Dictionary<CapsetId, RendererCapset>();
        foreach (var capsetId in (ReadOnlySpan<CapsetId>)[CapsetId.Virgl, CapsetId.Virgl2])
        {
            if (ReadCapset(capsetId) is { } capset) capsets[capsetId] = capset;
        }
        VirglNative.Cleanup((nint)callbacks);
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

    private static RendererCapset? ReadCapset(CapsetId capsetId)
    {
        uint maxVersion = 0, maxSize = 0;
        VirglNative.GetCapSet((uint)capsetId, &maxVersion, &maxSize);
        // A size past what GET_CAPSET can carry, or an absurd version count, is treated as no capset.
        if (maxSize == 0 || maxSize > ContextTypeRegistry.MaxCapsetSize || maxVersion > 16) return null;
        var data = new byte[maxVersion + 1][];
        for (uint version = 0; version <= maxVersion; version++)
        {
            data[version] = new byte[maxSize];
            fixed (byte* destination = data[version]) VirglNative.FillCaps((uint)capsetId, version, destination);
        }
        return new RendererCapset(maxVersion, maxSize, data);
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
            if (ringIndex <= VirtioGpuLimits.MaxRingIndex && renderer._fenceSignals.TryGetValue(contextId, out var fences))
                fences.Signal((byte)ringIndex, fenceId);
        }
        catch (Exception exception)
        {
            // An exception must not unwind into C.
            renderer._logger.LogError(exception, "Signalling virgl fence {FenceId} of context {ContextId} failed", fenceId, contextId);
        }
    }
}
