using CrossDomain.Host.Metrics;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.Host.Device;

/// <summary>What a context type gets from the device when CTX_CREATE asks it for a new context.</summary>
/// <param name="ContextId">The guest's id for it (hdr.ctx_id), unique on this device while it lives.</param>
/// <param name="DebugName">
/// The guest's name for it (Linux: the process name), for logs only. The guest chose every byte:
/// it goes into a log line only through <see cref="LogText.Escape"/>, as the device logs it on CTX_CREATE.
/// </param>
/// <param name="GuestMemory">Guest RAM; always the current memory table, even after it changes.</param>
/// <param name="Fences">How the context reports that a fence on one of its rings has signalled.</param>
/// <param name="Loop">
/// The device's event loop, the thread every call into the context comes from: a context watches its
/// own fds (compositor sockets, pipes, renderer fds) here, so its callbacks need no locks.
/// </param>
/// <param name="Memory">
/// The device's host memory budget: a context charges what it allocates for the guest beyond the
/// resources the device already counts, before allocating it.
/// </param>
/// <param name="Fds">The device's host fd budget: a context charges the fds it keeps for the guest.</param>
/// <param name="Logs">
/// The device's log allowance: a context logs through <see cref="LogRateLimiter.Limit"/>, so that
/// lines a guest can cause at will cannot flood the log shared by every VM.
/// </param>
/// <param name="SubmissionsReady">
/// Called by a context that answered a submission with <see cref="GpuError.NotYet"/> once it can
/// take it: the device then goes on with its queue, that submission first.
/// </param>
/// <param name="Metrics">The device's metrics, for what only the context sees (compositor traffic); null counts nothing.</param>
public sealed record GpuContextSetup(uint ContextId, string DebugName, IGuestMemory GuestMemory, ContextFenceSignal Fences,
    EventLoop Loop, HostMemoryBudget Memory, HostFdBudget Fds, LogRateLimiter Logs, Action SubmissionsReady, DeviceMetrics? Metrics = null);
