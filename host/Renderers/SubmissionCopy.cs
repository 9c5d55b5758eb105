using System.Numerics;
using CrossDomain.Host.Device;

namespace CrossDomain.Host.Renderers;

/// <summary>
/// A renderer context's private copy of each command stream it is given. The request is no longer
/// in guest memory by now (the queue layer copied it out of the ring), but the span is only lent:
/// it is the queue's request buffer, which also holds a deferred request while it waits. The
/// renderer libraries take the stream through a mutable pointer (virgl_renderer_submit_cmd's
/// <c>void *</c>, stream_renderer_command's <c>uint8_t *</c>) and do not promise to leave it
/// alone, so they get a buffer of their own. It stays for the next submission, so it is charged
/// to the device's host memory for as long as it lives: every context of a device may hold one as
/// large as the largest stream it was ever sent.
/// </summary>
internal sealed class SubmissionCopy(HostMemoryBudget budget) : IDisposable
{
    private byte[] _buffer = [];

    /// <summary>
    /// A buffer that starts with a copy of <paramref name="commands"/>, or null (and no copy) when
    /// the budget cannot hold a buffer that large.
    /// </summary>
    public byte[]? TryCopy(ReadOnlySpan<byte> commands)
    {
        if (_buffer.Length < commands.Length)
        {
            // Powers of two: a context whose streams grow reallocates only a few times.
            int length = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)commands.Length), (uint)Array.MaxLength);
            if (!budget.TryCharge((ulong)(length - _buffer.Length))) return null;
            _buffer = new byte[length];
        }
        commands.CopyTo(_buffer);
        return _buffer;
    }

    public void Dispose()
    {
        budget.Refund((ulong)_buffer.Length);
        _buffer = [];
    }
}
