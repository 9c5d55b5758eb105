using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// POLL, on the channel ring. The command does nothing; its fence is the request: complete it
/// once the next channel event has been written into the channel ring.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainPoll
{
    public CrossDomainHeader Header;
    public ulong Padding;
}
