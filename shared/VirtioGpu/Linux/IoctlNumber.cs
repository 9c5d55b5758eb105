namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// Builds ioctl request numbers the way Linux's <c>_IOC</c> does on x86_64 and aarch64:
/// direction in bits 30–31, argument size in 16–29, type in 8–15, number in 0–7.
/// </summary>
public static class IoctlNumber
{
    private const int MaxArgumentSize = (1 << 14) - 1;

    public static uint Encode(IoctlDirection direction, byte type, byte number, int argumentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(argumentSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(argumentSize, MaxArgumentSize);
        return (uint)direction << 30 | (uint)argumentSize << 16 | (uint)type << 8 | number;
    }

    /// <summary><c>_IOW</c>: the kernel only reads the argument.</summary>
    public static uint Write(byte type, byte number, int argumentSize) =>
        Encode(IoctlDirection.Write, type, number, argumentSize);

    /// <summary><c>_IOWR</c>: the kernel reads the argument and writes it back.</summary>
    public static uint ReadWrite(byte type, byte number, int argumentSize) =>
        Encode(IoctlDirection.ReadWrite, type, number, argumentSize);
}

/// <summary>Seen from user space: <see cref="Write"/> means user space writes, the kernel reads.</summary>
[Flags]
public enum IoctlDirection : uint
{
    None = 0,
    Write = 1,
    Read = 2,
    ReadWrite = Write | Read,
}
