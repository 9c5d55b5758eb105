namespace CrossDomain.Bench.Wayland;

/// <summary>
/// A Wayland socket someone else set up, for `crossdomain-bench load`: the relay behind it runs
/// under the caller's profiler (strace -c, perf), so the bench counts no CPU of its own.
/// </summary>
internal sealed class GivenSocketPath(string socketPath) : IWaylandPath
{
    public string Name => socketPath;

    public string SocketForNextClient() => socketPath;

    public IReadOnlyCollection<int> RelayProcessIds => [];

    public long? ShmBytesCopiedForLatestClient() => null;

    public void Dispose()
    {
    }
}
