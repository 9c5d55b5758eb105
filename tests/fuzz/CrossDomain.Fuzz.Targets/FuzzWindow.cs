using CrossDomain.Host.Device;
using CrossDomain.Interop;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// The front-end's host-visible window, bookkeeping only: the device's own range checks are what
/// is under test, and an mmap per MAP_BLOB would cost more than the command itself.
/// </summary>
internal sealed class FuzzWindow(ulong size) : IHostVisibleWindow
{
    private readonly Dictionary<ulong, ulong> _live = [];

    public ulong Size { get; } = size;

    public bool HasFrontEnd => true;

    public bool TryMap(FileDescriptor fd, ulong fdOffset, ulong windowOffset, ulong length, bool writable)
    {
        if (fd.IsInvalid || fd.IsClosed) throw new FuzzFindingException("the device mapped a closed fd");
        if (length == 0 || windowOffset > Size || length > Size - windowOffset) throw new FuzzFindingException($"the device mapped [{windowOffset}, +{length}) outside the window");
        return _live.TryAdd(windowOffset, length);
    }

    public bool TryUnmap(ulong windowOffset, ulong length) => _live.Remove(windowOffset);
}

/// <summary>A descriptor chain's writable part: keeps whether and how the reply came.</summary>
internal sealed class FuzzReply(int capacity) : PendingReply
{
    public override int Capacity => capacity;

    public int Completions { get; private set; }

    public override void Complete(ReadOnlySpan<byte> response)
    {
        if (++Completions > 1) throw new FuzzFindingException("a reply was completed twice");
    }
}
