using System.ComponentModel;
using Tmds.Linux;

namespace CrossDomain.Interop;

/// <summary>errno as exceptions that name the failing call.</summary>
public static class Errno
{
    public static int Last => LibC.errno;

    public static Win32Exception Exception(string call) => Exception(call, LibC.errno);

    public static Win32Exception Exception(string call, int errno) =>
        new(errno, $"{call} failed: {new Win32Exception(errno).Message} (errno {errno})");

    public static bool IsWouldBlock(int errno) => errno == LibC.EAGAIN || errno == LibC.EWOULDBLOCK;
}
