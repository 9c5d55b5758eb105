using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Wayland.Wire;

/// <summary>The object a message creates through its new_id argument, if it has one.</summary>
public readonly record struct NewObject(uint Id, string? Interface, uint Version)
{
    /// <summary>The interface of a typed new_id, as the signature resolved it; null for the untyped form and hand-built signatures.</summary>
    public WaylandInterface? ResolvedInterface { get; init; }

    public bool Exists => Id != 0;
}

/// <summary>
/// Walks a message body against its signature: every argument in bounds, strings terminated,
/// nulls only where allowed, no trailing bytes, and enough fds queued for its fd arguments.
/// This is what lets a relay pair fds with messages without understanding the messages.
/// </summary>
public static class MessageValidator
{
    public static WireError Validate(MessageSignature signature, ReadOnlySpan<byte> body, int fdsAvailable, out NewObject created)
    {
        created = default;
        var reader = new WireReader(body);
        foreach (var argument in signature.Arguments)
        {
            switch (argument.Type)
            {
                case WaylandArgumentType.Int:
                case WaylandArgumentType.Uint:
                case WaylandArgumentType.Fixed:
                    reader.TryReadUint(out _);
                    break;
                case WaylandArgumentType.Object:
                    reader.TryReadObject(argument.Nullable, out _);
                    break;
                case WaylandArgumentType.NewId when argument.IsUntypedNewId:
                    if (reader.TryReadString(nullable: false, out string? name)
                        && reader.TryReadUint(out uint version)
                        && reader.TryReadObject(nullable: false, out uint untypedId))
                        created = new NewObject(untypedId, name, version);
                    break;
                case WaylandArgumentType.NewId:
                    if (reader.TryReadObject(argument.Nullable, out uint id) && id != 0)
                        created = new NewObject(id, argument.Interface, 0) { ResolvedInterface = argument.ResolvedInterface };
                    break;
                case WaylandArgumentType.String:
                    reader.TryReadString(argument.Nullable, out ReadOnlySpan<byte> _, out _);
                    break;
                case WaylandArgumentType.Array:
                    reader.TryReadArray(out _);
                    break;
                case WaylandArgumentType.Fd:
                    break;
            }
            if (reader.Error != WireError.None) return reader.Error;
        }
        // Fds last: a body that is malformed is an error whether or not its fds have arrived.
        if (!reader.TryFinish()) return reader.Error;
        return signature.FdCount > fdsAvailable ? WireError.FdMissing : WireError.None;
    }
}
