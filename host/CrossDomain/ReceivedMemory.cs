using CrossDomain.Host.Device;
using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// Mappable memory the compositor sent (a keymap, a dmabuf-feedback table, a shm pool): announced
/// to the guest as a VIRTGPU_BLOB identifier, and consumed when the guest makes a HOST3D blob of it.
/// Its fd counts against the device's fd budget until the blob takes it (the device counts the
/// blob's) or it is closed.
/// </summary>
internal sealed class ReceivedMemory : HostItem
{
    private readonly HostFdBudget _fds;
    private FileDescriptor? _handle;

    /// <param name="fds">Where the fd is counted; the caller has checked that it has room.</param>
    public ReceivedMemory(FileDescriptor handle, ulong size, bool writable, HostFdBudget fds)
    {
        fds.Take(1);
        _handle = handle;
        _fds = fds;
        Size = size;
        IsWritable = writable;
    }

    public ulong Size { get; }

    /// <summary>False for read-only or write-sealed memfds (mutter's keymaps, weston's for wl_seat v7+).</summary>
    public bool IsWritable { get; }

    public override bool HoldsFd => true;

    /// <summary>Hands the fd to the caller, who owns it from now on.</summary>
    public FileDescriptor TakeHandle()
    {
        var taken = _handle ?? throw new InvalidOperationException("The memory was already taken.");
        _handle = null;
        _fds.Return(1);
        return taken;
    }

    public override void Dispose()
    {
        if (_handle is null) return;
        _handle.Dispose();
        _handle = null;
        _fds.Return(1);
    }
}
