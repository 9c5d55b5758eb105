using CrossDomain.Interop;

namespace CrossDomain.Tests.Interop;

public sealed class EventFdAndPipeTests
{
    [Fact]
    public void Eventfd_counts_signals_until_consumed()
    {
        using var eventFd = EventFd.Create();
        Assert.Equal(0ul, eventFd.Consume());
        eventFd.Signal();
        eventFd.Signal(2);
        Assert.Equal(3ul, eventFd.Consume());
        Assert.Equal(0ul, eventFd.Consume());
    }

    [Fact]
    public void Pipe_carries_bytes_and_reports_hang_up()
    {
        var (read, write) = Pipe.Create();
        using (read)
        {
            Assert.Equal(IoStatus.WouldBlock, Pipe.Read(read, new byte[8]).Status);
            Assert.Equal(5, Pipe.Write(write, "hello"u8).Bytes);
            Assert.True(Pipe.IsWriteOnlyPipe(write));
            Assert.False(Pipe.IsWriteOnlyPipe(read));
            write.Dispose();
            var buffer = new byte[8];
            Assert.Equal(5, Pipe.Read(read, buffer).Bytes);
            Assert.Equal(IoStatus.EndOfStream, Pipe.Read(read, buffer).Status);
        }
    }

    [Fact]
    public void A_memfd_is_not_a_write_pipe()
    {
        using var memfd = MemFd.Create("not-a-pipe", 16);
        Assert.False(Pipe.IsWriteOnlyPipe(memfd));
    }
}
