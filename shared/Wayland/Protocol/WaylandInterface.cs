namespace CrossDomain.Wayland.Protocol;

/// <summary>An interface from the protocol XML: name, highest version, and its message tables.</summary>
public sealed class WaylandInterface
{
    public WaylandInterface(string name, int version, MessageSignature[] requests, MessageSignature[] events)
    {
        Name = name;
        Version = version;
        Requests = requests;
        Events = events;
    }

    public string Name { get; }
    public int Version { get; }
    public MessageSignature[] Requests { get; }
    public MessageSignature[] Events { get; }

    public MessageSignature? GetRequest(int opcode) => (uint)opcode < (uint)Requests.Length ? Requests[opcode] : null;

    public MessageSignature? GetEvent(int opcode) => (uint)opcode < (uint)Events.Length ? Events[opcode] : null;

    public override string ToString() => Name;
}
