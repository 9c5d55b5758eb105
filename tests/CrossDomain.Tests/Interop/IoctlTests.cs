using CrossDomain.Interop;
using Tmds.Linux;

namespace CrossDomain.Tests.Interop;

public sealed class IoctlTests
{
    [Fact]
    public void An_ioctl_writes_its_struct_in_place()
    {
        var (a, b) = UnixSocket.CreatePair();
        using (a)
        using (b)
        {
            a.Send("12345"u8);
            int queued = 0;
            Ioctl.Invoke(b.Handle, (uint)LibC.FIONREAD, ref queued, "FIONREAD");
            Assert.Equal(5, queued);
        }
    }

    [Fact]
    public void A_failing_ioctl_returns_its_errno()
    {
        using var memfd = MemFd.Create("not-a-tty", 0);
        int unused = 0;
        Assert.Equal(LibC.ENOTTY, Ioctl.TryInvoke(memfd, (uint)LibC.FIONREAD + 0x100, ref unused));
    }
}
