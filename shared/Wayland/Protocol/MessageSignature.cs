namespace CrossDomain.Wayland.Protocol;

/// <summary>A request or event: its opcode, the interface version it appeared in, and its arguments.</summary>
public sealed class MessageSignature
{
    public MessageSignature(string name, ushort opcode, int since, bool isDestructor, ArgumentSignature[] arguments)
    {
        Name = name;
        Opcode = opcode;
        Since = since;
        IsDestructor = isDestructor;
        Arguments = arguments;
        foreach (var argument in arguments)
        {
            if (argument.Type == WaylandArgumentType.Fd) FdCount++;
            if (argument.Type == WaylandArgumentType.NewId) NewIdCount++;
        }
    }

    public string Name { get; }
    public ushort Opcode { get; }
    public int Since { get; }
    public bool IsDestructor { get; }
    public ArgumentSignature[] Arguments { get; }

    /// <summary>How many fds travel out of band with this message.</summary>
    public int FdCount { get; }

    public int NewIdCount { get; }

    public override string ToString() => Name;
}
