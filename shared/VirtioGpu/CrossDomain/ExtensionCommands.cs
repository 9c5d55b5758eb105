using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

// Commands 8–13 of magma-gpu/rutabaga_gfx. Wayland guests never send them; they serve X11,
// PipeWire and D-Bus bridges in muvm/libkrun setups.

/// <summary>
/// CREATE_ATOMIC_MEMORY_SENTINEL and IMPORT_VIRTIOFS_HANDLE: a virtio-fs file (filesystem id and
/// file handle), named by a guest-chosen <see cref="Id"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainVirtioFsFile
{
    public CrossDomainHeader Header;
    public ulong FilesystemId;
    public ulong Handle;
    public uint Id;
    public uint Padding;
}

/// <summary>
/// SIGNAL_ATOMIC_MEMORY_SENTINEL (also written by the host into the channel ring),
/// DESTROY_ATOMIC_MEMORY_SENTINEL and READ_CREATE_EVENT: a command about one item.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainItemCommand
{
    public CrossDomainHeader Header;
    public uint Id;
    public uint Padding;
}

/// <summary>
/// ASSIGN_SOCKET_UUID: names a received socket item so a new context can INIT with
/// <see cref="ChannelType.InternalSocket"/> and this uuid.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainAssignSocketUuid
{
    public CrossDomainHeader Header;
    public FixedArray16<byte> SocketUuid;
    public uint Id;
    public uint Padding;
}
