namespace CrossDomain.Wayland.Protocol;

/// <summary>
/// An interface from the protocol XML: name, highest version, its number among the generated
/// interfaces, and its message tables.
/// </summary>
public sealed class WaylandInterface
{
    /// <summary>The <see cref="NumericId"/> of an interface built by hand rather than generated (tests).</summary>
    public const ushort NoGeneratedId = ushort.MaxValue;

    private readonly Func<MessageSignature[]>? _buildRequests;
    private readonly Func<MessageSignature[]>? _buildEvents;
    private MessageSignature[]? _requests;
    private MessageSignature[]? _events;

    /// <summary>An interface built by hand, with its tables as they are.</summary>
    public WaylandInterface(string name, int version, MessageSignature[] requests, MessageSignature[] events)
    {
        Name = name;
        Version = version;
        NumericId = NoGeneratedId;
        _requests = requests;
        _events = events;
    }

    /// <summary>
    /// A generated interface. Its tables are built on first use: their arguments refer to other
    /// interfaces (and to this one: xdg_toplevel.set_parent), which static initialisers could not
    /// do for a cycle without seeing some of them still null.
    /// </summary>
    public WaylandInterface(string name, int version, ushort numericId, Func<MessageSignature[]> requests, Func<MessageSignature[]> events)
    {
        Name = name;
        Version = version;
        NumericId = numericId;
        _buildRequests = requests;
        _buildEvents = events;
    }

    public string Name { get; }
    public int Version { get; }

    /// <summary>
    /// The generated <c>WaylandInterfaceId</c> as a number: the generated enum lives in whatever
    /// namespace the generator was told, so this class cannot name it.
    /// </summary>
    public ushort NumericId { get; }

    /// <summary>What a relay switches on, with the opcode: one compare where names would need a lookup.</summary>
    public WaylandInterfaceId Id => (WaylandInterfaceId)NumericId;

    public MessageSignature[] Requests => LazyInitializer.EnsureInitialized(ref _requests, _buildRequests!);
    public MessageSignature[] Events => LazyInitializer.EnsureInitialized(ref _events, _buildEvents!);

    public MessageSignature? GetRequest(int opcode)
    {
        var requests = Requests;
        return (uint)opcode < (uint)requests.Length ? requests[opcode] : null;
    }

    public MessageSignature? GetEvent(int opcode)
    {
        var events = Events;
        return (uint)opcode < (uint)events.Length ? events[opcode] : null;
    }

    public override string ToString() => Name;
}
