namespace CrossDomain.Bench.Wayland;

/// <summary>The client on the compositor's own socket: the baseline. Weston's CPU is not counted on any path.</summary>
internal sealed class DirectPath(PrivateWeston weston) : IWaylandPath
{
    public string Name => "direct";

    public string SocketForNextClient() => weston.SocketPath;

    public IReadOnlyCollection<int> RelayProcessIds => [];


    public long? ShmBytesCopiedForLatestClient() => null;

    public void Dispose()
    {
    }
}
