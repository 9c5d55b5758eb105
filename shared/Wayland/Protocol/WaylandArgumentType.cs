namespace CrossDomain.Wayland.Protocol;

/// <summary>The argument types of the Wayland wire format (PROTOCOL.md E).</summary>
public enum WaylandArgumentType : byte
{
    Int,
    Uint,
    Fixed,
    String,
    Object,
    NewId,
    Array,
    Fd,
}
