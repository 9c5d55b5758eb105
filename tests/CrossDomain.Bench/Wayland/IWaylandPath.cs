namespace CrossDomain.Bench.Wayland;

/// <summary>One way for a client to reach the compositor: directly, through the bridge, through waypipe.</summary>
internal interface IWaylandPath : IDisposable
{
    string Name { get; }

    /// <summary>
    /// The Wayland socket the next client connects to, ready for it. A method, not a property: a
    /// waypipe server serves one application and exits when it leaves, so waypipe starts one per client.
    /// </summary>
    string SocketForNextClient();

    /// <summary>The processes whose CPU time the path costs (with their descendants); none for direct.</summary>
    IReadOnlyCollection<int> RelayProcessIds { get; }

    /// <summary>
    /// The shm bytes the relay copied for the last client <see cref="SocketForNextClient"/> was
    /// asked for, once that client has closed (waiting a little for the report); null where the
    /// path does not report it.
    /// </summary>
    long? ShmBytesCopiedForLatestClient();
}
