namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// One allowlist entry. The name is kept as UTF-8 too, so that the wire's strings are compared
/// where they lie, without decoding them; and what the filter tracks an object bound to it as, if
/// it reads that object's requests, so that a bind looks nothing up.
/// </summary>
internal sealed class AllowedGlobal
{
    public AllowedGlobal(string name, uint cap)
    {
        Name = name;
        Utf8Name = System.Text.Encoding.UTF8.GetBytes(name);
        Cap = cap;
        BoundKind = TrackedObjectKinds.ForGlobal(name);
    }

    public string Name { get; }

    public byte[] Utf8Name { get; }

    public uint Cap { get; }

    public TrackedObjectKind? BoundKind { get; }
}
