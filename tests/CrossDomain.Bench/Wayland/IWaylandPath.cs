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

    /// <summary>How many clients the relay has reported closed so far (0 where it does not report them).</summary>
    int ClosedClientCount { get; }

    /// <summary>
    /// The shm bytes the relay copied for the <paramref name="closedNumber"/>-th client to close
    /// (from 1), waiting a little for its report; null where the path does not report it.
    /// </summary>
    long? ShmBytesCopied(int closedNumber);
}
