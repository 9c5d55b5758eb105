using System.Globalization;
using System.Text;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>
/// --trace: every relayed message as one log line in the style of WAYLAND_DEBUG=1, with the
/// client's number and the direction: <c>client 3 -> wl_surface#12.attach(wl_buffer#15, 0, 0)</c>.
/// </summary>
public sealed class MessageTracer(ILogger logger)
{
    internal void Trace(int client, bool toHost, WaylandInterface @interface, uint objectId, MessageSignature signature, ReadOnlySpan<byte> body)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return;
        RelayLog.Traced(logger, client, toHost ? "->" : "<-", Format(@interface, objectId, signature, body));
    }

    /// <summary>One message as WAYLAND_DEBUG writes it: <c>interface#id.message(arguments)</c>.</summary>
    public static string Format(WaylandInterface @interface, uint objectId, MessageSignature signature, ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder().Append(@interface.Name).Append('#').Append(objectId).Append('.').Append(signature.Name).Append('(');
        var reader = new WireReader(body);
        for (int i = 0; i < signature.Arguments.Length; i++)
        {
            if (i > 0) text.Append(", ");
            var argument = signature.Arguments[i];
            switch (argument.Type)
            {
                case WaylandArgumentType.Int when reader.TryReadInt(out int value):
                    text.Append(value.ToString(CultureInfo.InvariantCulture));
                    break;
                case WaylandArgumentType.Uint when reader.TryReadUint(out uint value):
                    text.Append(value.ToString(CultureInfo.InvariantCulture));
                    break;
                case WaylandArgumentType.Fixed when reader.TryReadFixed(out var value):
                    text.Append(value.ToDouble().ToString("0.########", CultureInfo.InvariantCulture));
                    break;
                case WaylandArgumentType.String when reader.TryReadString(argument.Nullable, out string? value):
                    text.Append(value is null ? "nil" : $"\"{value}\"");
                    break;
                case WaylandArgumentType.Object when reader.TryReadObject(argument.Nullable, out uint id):
                    text.Append(id == 0 ? "nil" : $"{argument.Interface ?? "[unknown]"}#{id}");
                    break;
                case WaylandArgumentType.NewId when argument.IsUntypedNewId:
                    if (reader.TryReadString(false, out string? name) && reader.TryReadUint(out uint version) && reader.TryReadObject(false, out uint boundId))
                        text.Append($"new id {name}#{boundId} (version {version})");
                    break;
                case WaylandArgumentType.NewId when reader.TryReadObject(argument.Nullable, out uint newId):
                    text.Append($"new id {argument.Interface}#{newId}");
                    break;
                case WaylandArgumentType.Array when reader.TryReadArray(out var contents):
                    text.Append($"array[{contents.Length}]");
                    break;
                case WaylandArgumentType.Fd:
                    text.Append("fd");
                    break;
                default:
                    text.Append('?');
                    break;
            }
        }
        return text.Append(')').ToString();
    }
}
