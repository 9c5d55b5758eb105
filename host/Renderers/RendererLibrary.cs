using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers;

/// <summary>
/// A renderer library with one global state per process (virglrenderer, gfxstream): the capsets it
/// reported when it was probed, which device holds it, and where each context's fences go.
/// <para>
/// Context and resource ids go to the renderer unchanged, so one device at a time may use it. The
/// holder is known by its loop, and every device has a loop of its own (one thread per VM, see
/// <c>VhostUserServer</c>): a second VM is refused while the first holds the renderer, since its
/// contexts would share the renderer's tables and could attach and read the first one's resources.
/// When the holder's last context or resource goes, another device may take it.
/// </para>
/// </summary>
public abstract class RendererLibrary
{
    private readonly Dictionary<CapsetId, RendererCapset> _capsets;

    /// <summary>Locked: a renderer may signal fences from threads of its own (gfxstream does).</summary>
    private readonly Dictionary<uint, ContextFenceSignal> _fenceSignals = [];

    /// <summary>
    /// Guards only who holds the renderer: devices on other loops may ask at the same time. Every
    /// other call into the renderer comes from the holder's loop thread.
    /// </summary>
    private readonly Lock _ownership = new();

    private EventLoop? _owner;
    private int _users;

    private protected RendererLibrary(ILogger logger, Dictionary<CapsetId, RendererCapset> capsets)
    {
        Logger = logger;
        _capsets = capsets;
    }

    /// <summary>The capsets the renderer offers.</summary>
    public IEnumerable<CapsetId> Capsets => _capsets.Keys.Order();

    /// <summary>Whether a device's loop holds the renderer now.</summary>
    public bool IsStarted => _owner is not null;

    internal ILogger Logger { get; }

    /// <summary>The library's name in log lines.</summary>
    internal abstract string Name { get; }

    /// <summary>The loop of the device that holds the renderer, while one does.</summary>
    internal EventLoop? Owner => _owner;

    internal bool TryGetCapset(CapsetId capsetId, out RendererCapset capset) => _capsets.TryGetValue(capsetId, out capset!);

    /// <summary>
    /// A context or resource of the device on <paramref name="loop"/> is about to be made: starts the
    /// renderer on this thread if no device holds it. Fails when another device does.
    /// </summary>
    internal RendererRefusal Acquire(EventLoop loop)
    {
        lock (_ownership)
        {
            if (_owner is not null && _owner != loop)
            {
                OnRefusedToAnotherDevice();
                return RendererRefusal.InUseByAnotherDevice;
            }
            if (_users == 0)
            {
                var refusal = Start(loop);
                if (refusal != RendererRefusal.None) return refusal;
                _owner = loop;
            }
            _users++;
            return RendererRefusal.None;
        }
    }

    /// <summary>The counterpart of a successful <see cref="Acquire"/>: the last one stops the renderer.</summary>
    internal void Release()
    {
        lock (_ownership)
        {
            if (_users == 0 || --_users > 0) return;
            Stop();
            lock (_fenceSignals) _fenceSignals.Clear();
            _owner = null;
        }
    }

    internal void RegisterContext(uint contextId, ContextFenceSignal fences)
    {
        lock (_fenceSignals) _fenceSignals[contextId] = fences;
    }

    internal void UnregisterContext(uint contextId)
    {
        lock (_fenceSignals) _fenceSignals.Remove(contextId);
    }

    /// <summary>The renderer retired a context fence: the context's device completes it on its loop.</summary>
    private protected void SignalFence(uint contextId, uint ringIndex, ulong fenceId)
    {
        if (ringIndex > VirtioGpuLimits.MaxRingIndex) return;
        ContextFenceSignal? signal;
        lock (_fenceSignals) _fenceSignals.TryGetValue(contextId, out signal);
        signal?.Signal((byte)ringIndex, fenceId);
    }

    /// <summary>The first holder's device starts the renderer, on its loop thread.</summary>
    private protected abstract RendererRefusal Start(EventLoop loop);

    /// <summary>The holder's last context or resource went.</summary>
    private protected abstract void Stop();

    private protected virtual void OnRefusedToAnotherDevice()
    {
    }
}
