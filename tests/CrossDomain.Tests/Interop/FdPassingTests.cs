using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.Tests.Interop;

[Collection(FdAccounting.Name)]
public sealed unsafe class FdPassingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(28)]
    public void Fds_and_bytes_arrive_together(int fdCount)
    {
        var (sender, receiver) = UnixSocket.CreatePair();
        using (sender)
        using (receiver)
        {
            var sent = Enumerable.Range(0, fdCount).Select(i => MemFd.Create($"test-{i}", i + 1)).ToArray();
            try
            {
                Assert.Equal(IoStatus.Done, sender.Send("payload"u8, sent).Status);
                var fds = new List<FileDescriptor>();
                var buffer = new byte[64];
                var result = receiver.Receive(buffer, fds);
                Assert.Equal(IoStatus.Done, result.Status);
                Assert.Equal("payload"u8.ToArray(), buffer[..result.Bytes]);
                Assert.Equal(fdCount, fds.Count);
                // The sizes identify each memfd, so this proves the order survived the trip.
                Assert.Equal(Enumerable.Range(1, fdCount).Select(i => (long)i), fds.Select(MemFd.GetSize));
                Assert.All(fds, fd => Assert.Equal(FD_CLOEXEC, fcntl(fd.Fd, F_GETFD) & FD_CLOEXEC));
                fds.ForEach(fd => fd.Dispose());
            }
            finally
            {
                Array.ForEach(sent, fd => fd.Dispose());
            }
        }
    }

    [Fact]
    public void Sending_29_fds_is_refused_before_any_syscall()
    {
        var before = FdAccounting.Snapshot();
        var (sender, receiver) = UnixSocket.CreatePair();
        var fds = Enumerable.Range(0, 29).Select(_ => MemFd.Create("too-many", 0)).ToArray();
        try
        {
            Assert.Throws<ArgumentException>(() => sender.Send("x"u8, fds));
            Assert.Equal(IoStatus.WouldBlock, receiver.Receive(new byte[8], []).Status);
        }
        finally
        {
            Array.ForEach(fds, fd => fd.Dispose());
            sender.Dispose();
            receiver.Dispose();
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void Receiving_29_fds_is_control_truncation_and_every_received_fd_is_closed()
    {
        var before = FdAccounting.Snapshot();
        var (sender, receiver) = UnixSocket.CreatePair();
        var fds = Enumerable.Range(0, 29).Select(_ => MemFd.Create("flood", 0)).ToArray();
        try
        {
            // A peer not bound by our 28-fd rule (the kernel allows 253 per message).
            SendRawFds(sender, fds);
            var received = new List<FileDescriptor>();
            var result = receiver.Receive(new byte[8], received);
            Assert.Equal(IoStatus.ControlTruncated, result.Status);
            Assert.Empty(received);
        }
        finally
        {
            Array.ForEach(fds, fd => fd.Dispose());
            sender.Dispose();
            receiver.Dispose();
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void Ten_thousand_round_trips_leave_the_fd_table_as_it_was()
    {
        var (sender, receiver) = UnixSocket.CreatePair();
        using var memfd = MemFd.Create("round-trip", 4096);
        var fdsBefore = FdAccounting.Snapshot();
        var received = new List<FileDescriptor>(1);
        var buffer = new byte[16];
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(IoStatus.Done, sender.Send("ping"u8, [memfd]).Status);
            Assert.Equal(IoStatus.Done, receiver.Receive(buffer, received).Status);
            Assert.Single(received);
            received[0].Dispose();
            received.Clear();
        }
        FdAccounting.AssertNoneOpenedSince(fdsBefore);
        sender.Dispose();
        receiver.Dispose();
    }

    [Fact]
    public void A_closed_peer_reads_as_end_of_stream()
    {
        var (sender, receiver) = UnixSocket.CreatePair();
        sender.Dispose();
        using (receiver)
            Assert.Equal(IoStatus.EndOfStream, receiver.Receive(new byte[8], []).Status);
    }

    [Fact]
    public void Listener_accepts_a_connection_by_path()
    {
        string directory = Directory.CreateTempSubdirectory("crossdomain-test-").FullName;
        try
        {
            string path = Path.Combine(directory, "socket");
            using var listener = UnixListener.Bind(path);
            Assert.Null(listener.TryAccept());
            using var client = UnixSocket.Connect(path);
            using var server = listener.TryAccept();
            Assert.NotNull(server);
            Assert.Equal(IoStatus.Done, client.Send("hi"u8).Status);
            Assert.Equal(2, server.Receive(new byte[4], []).Bytes);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Binding_over_a_live_server_fails_and_a_stale_socket_file_is_replaced()
    {
        string directory = Directory.CreateTempSubdirectory("crossdomain-test-").FullName;
        try
        {
            string path = Path.Combine(directory, "socket");
            using (var live = UnixListener.Bind(path))
                Assert.Throws<IOException>(() => UnixListener.Bind(path));
            // A socket file left behind by a server that is gone (simulate: bind, then close without unlinking).
            var stale = UnixListener.Bind(path);
            stale.Handle.Dispose();
            using var replacement = UnixListener.Bind(path);
            using var client = UnixSocket.Connect(path);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void SendRawFds(UnixSocket socket, FileDescriptor[] fds)
    {
        int controlLength = CMSG_SPACE(fds.Length * sizeof(int));
        byte* control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        byte data = (byte)'x';
        var vector = new iovec { iov_base = &data, iov_len = 1 };
        var header = new msghdr { msg_iov = &vector, msg_iovlen = 1, msg_control = control, msg_controllen = controlLength };
        var cmsg = CMSG_FIRSTHDR(&header);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(fds.Length * sizeof(int));
        for (int i = 0; i < fds.Length; i++) ((int*)CMSG_DATA(cmsg))[i] = fds[i].Fd;
        Assert.Equal(1, (long)sendmsg(socket.Fd, &header, 0));
    }
}
