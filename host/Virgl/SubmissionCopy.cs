using System.Numerics;
using CrossDomain.Host.Device;

namespace CrossDomain.Host.Virgl;

/// <summary>
/// A renderer context's private copy of each command stream it is given. The request may lie in
/// guest memory the guest can still write, and a decoder reads lengths and then the words they
/// cover, so it must get bytes that cannot change in between. The buffer stays for the next
/// submission, so it is charged to the device's host memory for as long as it lives: every
/// context of a device may hold one as large as the largest stream it was ever sent.
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
