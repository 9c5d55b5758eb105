using CrossDomain.Host.Device;

namespace CrossDomain.Tests.Device;

/// <summary>A reply that copies into one buffer, so allocation tests measure the device and not the reply.</summary>
internal sealed class ReusableReply : PendingReply
{
    private readonly byte[] _buffer = new byte[4096];

    public override int Capacity => _buffer.Length;

    public override void Complete(ReadOnlySpan<byte> response) => response.CopyTo(_buffer);
}
