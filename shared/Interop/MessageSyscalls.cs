using System.Runtime.InteropServices;

namespace CrossDomain.Interop;

/// <summary>
/// sendmsg/recvmsg bound straight to libc. Tmds.LibC routes these through its own shim, which
/// rewrites cmsg_len to the padded CMSG_SPACE on receive, so one fd would read as two (the second
/// being whatever the padding held). The kernel's own layout is used here instead.
/// </summary>
internal static unsafe partial class MessageSyscalls
{
    public const int HeaderLength = 16; // CMSG_LEN(0) on 64-bit Linux
    public const int SolSocket = 1;
    public const int ScmRights = 1;
    public const int MsgCtrunc = 0x8;

    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    public static int Align(int length) => (length + 7) & ~7;

    public static int Space(int dataLength) => HeaderLength + Align(dataLength);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMessage(int fd, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint ReceiveMessage(int fd, MessageHeader* message, int flags);
}
