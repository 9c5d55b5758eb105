using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>The 12-byte header in front of every message on all three vhost-user sockets.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MessageHeader
{
    public const int Length = 12;

    /// <summary>A <see cref="FrontendRequest"/>, <see cref="BackendRequest"/> or <see cref="DisplayRequest"/>, by socket.</summary>
    public uint Request;

    public MessageFlags Flags;

    /// <summary>Payload bytes that follow the header.</summary>
    public uint Size;

    public MessageHeader(uint request, MessageFlags flags, uint size)
    {
        Request = request;
        Flags = flags;
        Size = size;
    }

    public readonly bool IsReply => (Flags & MessageFlags.Reply) != 0;

    public readonly bool NeedsReply => (Flags & MessageFlags.NeedReply) != 0;

    public readonly uint Version => (uint)(Flags & MessageFlags.VersionMask);
}
