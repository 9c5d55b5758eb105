using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>GET_CAPSET_INFO and GET_CAPSET, answered from the context-type registry.</summary>
internal sealed class CapsetCommands(ContextTypeRegistry registry)
{
    public CommandResult GetCapsetInfo(ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (!RequestReader.TryRead(request, out GetCapsetInfoCommand command)) return DeviceRefusal.RequestTooShort;
        if (command.CapsetIndex >= (uint)registry.Count) return DeviceRefusal.UnknownCapset;
        var type = registry.InCapsetIdOrder[(int)command.CapsetIndex];
        ref var info = ref MemoryMarshal.AsRef<CapsetInfoResponse>(response);
        info = default;
        info.CapsetId = type.CapsetId;
        info.CapsetMaxVersion = type.CapsetMaxVersion;
        info.CapsetMaxSize = type.CapsetMaxSize;
        return CommandResult.WithPayload<CapsetInfoResponse>(CommandType.OkCapsetInfo);
    }

    /// <summary>The answer is the header and exactly capset_max_size bytes: all the room Linux gives it.</summary>
    public CommandResult GetCapset(ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (!RequestReader.TryRead(request, out GetCapsetCommand command)) return DeviceRefusal.RequestTooShort;
        if (!registry.TryGet(command.CapsetId, out var type) || command.CapsetVersion > type.CapsetMaxVersion)
            return DeviceRefusal.UnknownCapset;
        // The response buffer was sized from the registry when the device was made; a type
        // registered later could not fit.
        if ((ulong)CommandResult.HeaderSize + type.CapsetMaxSize > (ulong)response.Length) return DeviceRefusal.CapsetLargerThanResponse;
        var capset = response.Slice(CommandResult.HeaderSize, (int)type.CapsetMaxSize);
        capset.Clear();
        type.WriteCapset(command.CapsetVersion, capset);
        return new CommandResult(CommandType.OkCapset, CommandResult.HeaderSize + capset.Length);
    }

    /// <summary>Bytes the largest GET_CAPSET answer needs.</summary>
    public int LargestResponse => Unsafe.SizeOf<ControlHeader>() + (int)registry.LargestCapsetSize;
}
