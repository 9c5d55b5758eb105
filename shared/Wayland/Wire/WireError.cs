namespace CrossDomain.Wayland.Wire;

/// <summary>
/// Why a peer's bytes are not a valid Wayland message. Decoding never throws on peer input: every
/// malformed case ends in one of these, and the connection turns it into a protocol error.
/// </summary>
public enum WireError
{
    None,
    /// <summary>The header's size field is below 8 bytes.</summary>
    MessageTooShort,
    /// <summary>The header's size field is larger than the connection's buffer limit.</summary>
    MessageTooLarge,
    /// <summary>The header's size field is not a multiple of 4.</summary>
    MessageSizeUnaligned,
    /// <summary>An argument runs past the end of the message.</summary>
    ArgumentOverrun,
    /// <summary>A string's bytes do not end with a NUL where its length says.</summary>
    StringNotTerminated,
    /// <summary>A string holds a NUL before its end.</summary>
    StringEmbeddedNul,
    /// <summary>A null string or object where the protocol does not allow one.</summary>
    NullNotAllowed,
    /// <summary>An array's length runs past the end of the message.</summary>
    ArrayOverrun,
    /// <summary>The message needs more fds than arrived with it.</summary>
    FdMissing,
    /// <summary>Bytes left over after the last argument.</summary>
    TrailingBytes,
    /// <summary>The target object id is not live.</summary>
    UnknownObject,
    /// <summary>The opcode is past the end of the interface's message table.</summary>
    UnknownOpcode,
    /// <summary>A new_id names an id that is already live or out of the sender's range.</summary>
    InvalidNewId,
}
