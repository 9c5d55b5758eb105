namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// Something the host made or received for a context and named with an item id the guest uses
/// later (PROTOCOL.md B.6): an image template, memory received from the compositor, a write pipe.
/// </summary>
internal abstract class HostItem : IDisposable
{
    /// <summary>Whether it holds an fd, and so counts against <see cref="CrossDomainContextLimits.MaxHeldFds"/>.</summary>
    public virtual bool HoldsFd => false;

    public virtual void Dispose()
    {
    }
}
