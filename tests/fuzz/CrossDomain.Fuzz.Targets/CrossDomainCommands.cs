using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Cross-domain commands as guest proxies lay them out in a SUBMIT_3D buffer (PROTOCOL.md B.5),
/// for the tests and the fuzz targets' seeds alike.
/// </summary>
public static class CrossDomainCommands
{
    public static CrossDomainHeader Header(CrossDomainCommand command, int size) =>
        new() { Command = command, CommandSize = (ushort)size };

    public static byte[] Encode<TCommand>(in TCommand command, ReadOnlySpan<byte> trailing = default) where TCommand : unmanaged
    {
        var bytes = new byte[Unsafe.SizeOf<TCommand>() + trailing.Length];
        MemoryMarshal.Write(bytes, in command);
        trailing.CopyTo(bytes.AsSpan(Unsafe.SizeOf<TCommand>()));
        return bytes;
    }

    /// <summary>INIT in the form of <paramref name="size"/> bytes: 20 (v1), 24 (libkrun) or 36 (magma).</summary>
    public static byte[] Init(uint queryRingId, uint channelRingId, ChannelType channel, int size = CrossDomainInit.V1Size)
    {
        var init = new CrossDomainInit
        {
            Header = Header(CrossDomainCommand.Init, size),
            QueryRingId = queryRingId,
            ChannelRingId = channelRingId,
            ChannelType = channel,
        };
        if (size == CrossDomainInit.LibkrunSize) init.ProtocolVersion = 1;
        return Encode(init).AsSpan(0, size).ToArray();
    }

    /// <summary>The 16-byte INIT of ChromeOS LTS and minigbm: one ring for queries and the channel.</summary>
    public static byte[] InitLegacy(uint ringId, ChannelType channel) =>
        Encode(new CrossDomainInitLegacy
        {
            Header = Header(CrossDomainCommand.Init, CrossDomainInitLegacy.Size),
            QueryRingId = ringId,
            ChannelType = channel,
        });

    public static byte[] GetImageRequirements(uint width, uint height, uint drmFormat,
        ImageUsageFlags flags = ImageUsageFlags.Linear | ImageUsageFlags.Scanout) =>
        Encode(new CrossDomainGetImageRequirements
        {
            Header = Header(CrossDomainCommand.GetImageRequirements, Unsafe.SizeOf<CrossDomainGetImageRequirements>()),
            Width = width,
            Height = height,
            DrmFormat = drmFormat,
            Flags = flags,
        });

    public static byte[] Poll() =>
        Encode(new CrossDomainPoll { Header = Header(CrossDomainCommand.Poll, Unsafe.SizeOf<CrossDomainPoll>()) });

    public static byte[] Send(ReadOnlySpan<byte> data, params (uint Id, IdentifierType Type)[] identifiers)
    {
        var send = new CrossDomainSendReceive
        {
            Header = Header(CrossDomainCommand.Send, CrossDomainSendReceive.Size + data.Length),
            IdentifierCount = (uint)identifiers.Length,
            OpaqueDataSize = (uint)data.Length,
        };
        for (int i = 0; i < identifiers.Length; i++)
        {
            send.Identifiers[i] = identifiers[i].Id;
            send.IdentifierTypes[i] = (uint)identifiers[i].Type;
        }
        return Encode(send, data);
    }

    public static byte[] Write(uint pipeId, ReadOnlySpan<byte> data, bool hangUp) =>
        Encode(new CrossDomainReadWrite
        {
            Header = Header(CrossDomainCommand.Write, CrossDomainReadWrite.Size + data.Length),
            Identifier = pipeId,
            HangUp = hangUp ? 1u : 0u,
            OpaqueDataSize = (uint)data.Length,
        }, data);

    /// <summary>Several commands in one submission, back to back.</summary>
    public static byte[] Concatenate(params byte[][] commands) => commands.SelectMany(command => command).ToArray();
}
