using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

/// <summary>
/// A non-blocking AF_UNIX stream socket that carries bytes and fds (SCM_RIGHTS). Callers wait for
/// readiness on their event loop and then call <see cref="Receive"/> / <see cref="Send"/>, which
/// never block: they report <see cref="IoStatus.WouldBlock"/> instead.
/// </summary>
public sealed unsafe class UnixSocket : IDisposable
{
    /// <summary>fds per sendmsg/recvmsg, as libwayland's MAX_FDS_OUT and cross-domain's 28 identifiers.</summary>
    public const int MaxFdsPerMessage = 28;

    private static readonly int ControlBufferLength = MessageSyscalls.Space(MaxFdsPerMessage * sizeof(int));

    private UnixSocket(FileDescriptor fd) => Handle = fd;

    public FileDescriptor Handle { get; }

    public int Fd => Handle.Fd;

    /// <summary>Takes ownership of a connected stream socket (from accept, socket activation, a test).</summary>
    public static UnixSocket Adopt(FileDescriptor fd)
    {
        fd.SetNonBlocking();
        return new UnixSocket(fd);
    }

    public static (UnixSocket First, UnixSocket Second) CreatePair()
    {
        int* fds = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
            throw Errno.Exception("socketpair");
        return (new UnixSocket(new FileDescriptor(fds[0])), new UnixSocket(new FileDescriptor(fds[1])));
    }

    /// <summary>Connects to a listening socket at <paramref name="path"/>; the connect itself blocks briefly.</summary>
    public static UnixSocket Connect(string path)
    {
        var fd = NewSocket(SOCK_STREAM | SOCK_CLOEXEC);
        try
        {
            var address = Address(path, out var length);
            if (connect(fd.Fd, (sockaddr*)&address, length) != 0)
                throw Errno.Exception($"connect({path})");
            fd.SetNonBlocking();
            return new UnixSocket(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects without blocking: a Unix stream connect completes at once or fails, except against a
    /// listener whose backlog is full, which a blocking connect would wait for (here: EAGAIN).
    /// </summary>
    /// <returns>The socket, or null with <paramref name="errno"/> (ENOENT, ECONNREFUSED, EAGAIN, ENAMETOOLONG …).</returns>
    public static UnixSocket? TryConnectNonBlocking(string path, out int errno)
    {
        if (!TryGetAddress(path, out var address, out var length))
        {
            errno = ENAMETOOLONG;
            return null;
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            errno = Errno.Last;
            return null;
        }
        var handle = new FileDescriptor(fd);
        if (connect(fd, (sockaddr*)&address, length) != 0)
        {
            errno = Errno.Last;
            handle.Dispose();
            return null;
        }
        errno = 0;
        return new UnixSocket(handle);
    }

    /// <summary>
    /// Sends bytes, and with the first byte the given fds. The kernel keeps the fds attached to
    /// those bytes, so the peer sees them no later than the data they belong to. The socket keeps
    /// no reference to <paramref name="fds"/>; the caller still owns (and closes) them.
    /// </summary>
    public IoResult Send(ReadOnlySpan<byte> data, ReadOnlySpan<FileDescriptor> fds = default)
    {
        if (fds.Length > MaxFdsPerMessage)
            throw new ArgumentException($"At most {MaxFdsPerMessage} fds go in one message; {fds.Length} were given.", nameof(fds));
        if (data.IsEmpty) throw new ArgumentException("Nothing to send: a stream socket needs at least one byte (fds travel with bytes).", nameof(data));

        byte* control = stackalloc byte[ControlBufferLength];
        fixed (byte* bytes = data)
        {
            var vector = new MessageSyscalls.IoVector { Base = bytes, Length = (nuint)data.Length };
            var header = new MessageSyscalls.MessageHeader { Vectors = &vector, VectorCount = 1 };
            if (!fds.IsEmpty)
            {
                int dataLength = fds.Length * sizeof(int);
                var cmsg = (MessageSyscalls.ControlHeader*)control;
                cmsg->Length = (nuint)(MessageSyscalls.HeaderLength + dataLength);
                cmsg->Level = MessageSyscalls.SolSocket;
                cmsg->Type = MessageSyscalls.ScmRights;
                int* slots = (int*)(control + MessageSyscalls.HeaderLength);
                for (int i = 0; i < fds.Length; i++) slots[i] = fds[i].Fd;
                header.Control = control;
                header.ControlLength = (nuint)MessageSyscalls.Space(dataLength);
            }
            long sent = MessageSyscalls.SendMessage(Fd, &header, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent >= 0) return IoResult.Done((int)sent);
            int errno = Marshal.GetLastPInvokeError();
            return Errno.IsWouldBlock(errno) ? IoResult.WouldBlock : IoResult.Failed(errno);
        }
    }

    /// <summary>
    /// One non-blocking recvmsg. Received fds (close-on-exec) are appended to <paramref name="fds"/>
    /// and owned by the caller. Truncated control data (a peer that sent more than
    /// <see cref="MaxFdsPerMessage"/> fds at once) is an error; the fds that did arrive are closed.
    /// </summary>
    public IoResult Receive(Span<byte> buffer, List<FileDescriptor> fds)
    {
        byte* control = stackalloc byte[ControlBufferLength];
        fixed (byte* bytes = buffer)
        {
            var vector = new MessageSyscalls.IoVector { Base = bytes, Length = (nuint)buffer.Length };
            var header = new MessageSyscalls.MessageHeader
            {
                Vectors = &vector,
                VectorCount = 1,
                Control = control,
                ControlLength = (nuint)ControlBufferLength,
            };
            long received = MessageSyscalls.ReceiveMessage(Fd, &header, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
            if (received < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return Errno.IsWouldBlock(errno) ? IoResult.WouldBlock : IoResult.Failed(errno);
            }

            int firstNew = fds.Count;
            int offset = 0;
            int controlLength = (int)header.ControlLength;
            while (controlLength - offset >= MessageSyscalls.HeaderLength)
            {
                var cmsg = (MessageSyscalls.ControlHeader*)(control + offset);
                int length = (int)cmsg->Length;
                if (length < MessageSyscalls.HeaderLength || length > controlLength - offset) break;
                if (cmsg->Level == MessageSyscalls.SolSocket && cmsg->Type == MessageSyscalls.ScmRights)
                {
                    int* slots = (int*)(control + offset + MessageSyscalls.HeaderLength);
                    int count = (length - MessageSyscalls.HeaderLength) / sizeof(int);
                    for (int i = 0; i < count; i++) fds.Add(new FileDescriptor(slots[i]));
                }
                offset += MessageSyscalls.Align(length);
            }

            if ((header.Flags & MessageSyscalls.MsgCtrunc) != 0)
            {
                for (int i = firstNew; i < fds.Count; i++) fds[i].Dispose();
                fds.RemoveRange(firstNew, fds.Count - firstNew);
                return IoResult.Failed(EMSGSIZE, IoStatus.ControlTruncated);
            }
            return received == 0 ? IoResult.EndOfStream : IoResult.Done((int)received);
        }
    }

    public void Dispose() => Handle.Dispose();

    internal static FileDescriptor NewSocket(int type)
    {
        int fd = socket(AF_UNIX, type, 0);
        if (fd < 0) throw Errno.Exception("socket(AF_UNIX)");
        return new FileDescriptor(fd);
    }

    internal static sockaddr_un Address(string path, out socklen_t length)
    {
        if (!TryGetAddress(path, out var address, out length))
            throw new ArgumentException($"A Unix socket path must be 1 to {AddressPathCapacity - 1} bytes: '{path}'.", nameof(path));
        return address;
    }

    /// <summary>sun_path holds 108 bytes, the terminating NUL included.</summary>
    private const int AddressPathCapacity = 108;

    private static bool TryGetAddress(string path, out sockaddr_un address, out socklen_t length)
    {
        address = new sockaddr_un { sun_family = (sa_family_t)AF_UNIX };
        length = default;
        int byteCount = Encoding.UTF8.GetByteCount(path);
        if (byteCount == 0 || byteCount >= AddressPathCapacity) return false;
        fixed (byte* sunPath = address.sun_path)
            Encoding.UTF8.GetBytes(path, new Span<byte>(sunPath, AddressPathCapacity));
        length = (socklen_t)(uint)(sizeof(sa_family_t) + byteCount + 1);
        return true;
    }
}
