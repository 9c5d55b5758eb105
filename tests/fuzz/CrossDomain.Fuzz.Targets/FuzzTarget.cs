namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// One input surface. <see cref="Run"/> builds everything it needs from nothing and tears it down
/// again, so inputs cannot influence each other in a persistent-mode fuzzer or in the replay test.
/// It throws <see cref="FuzzFindingException"/> for a misbehaviour the code itself swallowed
/// (an error log means a command threw inside the device's guard).
/// </summary>
public abstract class FuzzTarget
{
    public abstract string Name { get; }

    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>Valid inputs, named, to start a corpus from.</summary>
    public abstract IEnumerable<(string Name, byte[] Input)> Seeds();
}

public sealed class FuzzFindingException(string message) : Exception(message);

public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new CrossDomainTarget(),
        new ControlTarget(),
        new VirtqueueTarget(),
        new VhostUserTarget(),
        new FirewallTarget(),
        new ProxyEventsTarget(),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(target => target.Name == name);
}
