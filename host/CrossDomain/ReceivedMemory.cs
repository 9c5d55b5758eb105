using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// Mappable memory the compositor sent (a keymap, a dmabuf-feedback table, a shm pool): announced
/// to the guest as a VIRTGPU_BLOB identifier, and consumed when the guest makes a HOST3D blob of it.
/// </summary>
internal sealed class ReceivedMemory(FileDescriptor handle, ulong size, bool writable) : HostItem
{
    private FileDescriptor? _handle = handle;

    public ulong Size { get; } = size;

    /// <summary>False for read-only or write-sealed memfds (mutter's keymaps, weston's for wl_seat v7+).</summary>
    public bool IsWritable { get; } = writable;

    public override bool HoldsFd => true;

    /// <summary>Hands the fd to the caller, who owns it from now on.</summary>
    public FileDescriptor TakeHandle()
    {
        var taken = _handle ?? throw new InvalidOperationException("The memory was already taken.");
        _handle = null;
        return taken;
    }

    public override void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
    }
}
