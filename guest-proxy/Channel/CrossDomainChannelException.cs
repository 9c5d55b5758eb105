namespace CrossDomain.GuestProxy.Channel;

/// <summary>
/// A channel operation the device refused or could not do, with the errno the uAPI gave. An
/// <see cref="IOException"/>: to the relay the channel is one more stream that can fail.
/// </summary>
public sealed class CrossDomainChannelException(string message, int errno, Exception? inner = null) : IOException(message, inner)
{
    public int Errno { get; } = errno;
}
