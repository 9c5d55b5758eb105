using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// One ring as the front-end set it up: the driver signals <see cref="Kick"/> after adding
/// buffers and waits on <see cref="Call"/> for the device's interrupts.
/// </summary>
public sealed class FrontendVring : IDisposable
{
    internal FrontendVring(int index, FrontendVringLayout layout)
    {
        Index = index;
        Layout = layout;
        Kick = EventFd.Create();
        Call = EventFd.Create();
    }

    public int Index { get; }

    public FrontendVringLayout Layout { get; }

    public EventFd Kick { get; }

    /// <summary>The call eventfd the back-end was given last (earlier ones were only placeholders).</summary>
    public EventFd Call { get; }

    public bool IsEnabled { get; internal set; }

    /// <summary>False after GET_VRING_BASE stopped the ring.</summary>
    public bool IsStarted { get; internal set; }

    public void Dispose()
    {
        Kick.Dispose();
        Call.Dispose();
    }
}
