using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// The read-pipe id the guest must use next (PROTOCOL.md B.6): both sides count from 0x80000000,
/// incrementing before use (the first id is 0x80000001), and wrap back to 0x80000000. The guest
/// predicts the id instead of asking, and the host checks the prediction.
/// </summary>
internal sealed class ReadPipeIds
{
    private uint _last = CrossDomainLimits.PipeReadStart;

    public uint Next()
    {
        _last = _last == uint.MaxValue ? CrossDomainLimits.PipeReadStart : _last + 1;
        return _last;
    }
}
