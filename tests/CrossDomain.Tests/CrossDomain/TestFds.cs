using System.Text;
using CrossDomain.Interop;
using static Tmds.Linux.LibC;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>fds of the kinds a compositor sends, made by the test.</summary>
internal static unsafe class TestFds
{
    /// <summary>A memfd holding <paramref name="contents"/>, exactly that long.</summary>
    public static FileDescriptor MemfdWith(ReadOnlySpan<byte> contents, string name = "test-memory")
    {
        var memfd = MemFd.Create(name, contents.Length);
        using var mapping = MemoryMapping.Map(memfd, contents.Length);
        contents.CopyTo(mapping.Span);
        return memfd;
    }

    /// <summary>As mutter and weston (wl_seat v7+) send keymaps: a memfd sealed against writing.</summary>
    public static FileDescriptor WriteSealedMemfdWith(ReadOnlySpan<byte> contents)
    {
        var memfd = MemfdWith(contents, "test-sealed");
        MemFd.AddSeals(memfd, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Write | MemFdSeals.Seal);
        return memfd;
    }

    /// <summary>A second, read-only open file of the same memory (wlroots' dmabuf feedback tables are sent like this).</summary>
    public static FileDescriptor ReadOnlyReopen(FileDescriptor fd)
    {
        var path = Encoding.UTF8.GetBytes($"/proc/self/fd/{fd.Fd}\0");
        fixed (byte* pathBytes = path)
        {
            int reopened = open(pathBytes, O_RDONLY | O_CLOEXEC);
            if (reopened < 0) throw Errno.Exception("open(O_RDONLY)");
            return new FileDescriptor(reopened);
        }
    }

    public static byte[] ReadAll(FileDescriptor pipeReadEnd, TimeSpan timeout)
    {
        var data = new List<byte>();
        var buffer = new byte[65536];
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the pipe did not reach end of file");
            var result = Pipe.Read(pipeReadEnd, buffer);
            if (result.Status == IoStatus.EndOfStream) return data.ToArray();
            if (result.Status == IoStatus.WouldBlock)
            {
                Thread.Sleep(5);
                continue;
            }
            Assert.Equal(IoStatus.Done, result.Status);
            data.AddRange(buffer.AsSpan(0, result.Bytes));
        }
    }

    public static bool IsNonBlocking(FileDescriptor fd) => (fcntl(fd.Fd, F_GETFL) & O_NONBLOCK) != 0;
}

