using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// Reads command structs and their trailing payloads out of a request. Requests come from the guest,
/// so every read is checked against the bytes actually present; nothing here throws on bad input.
/// </summary>
internal static class RequestReader
{
    /// <summary>False when <paramref name="request"/> is shorter than <typeparamref name="TCommand"/>.</summary>
    public static bool TryRead<TCommand>(ReadOnlySpan<byte> request, out TCommand command) where TCommand : unmanaged
    {
        if (request.Length < Unsafe.SizeOf<TCommand>())
        {
            command = default;
            return false;
        }
        command = MemoryMarshal.Read<TCommand>(request);
        return true;
    }

    /// <summary>
    /// The <paramref name="count"/> memory entries that follow a <typeparamref name="TCommand"/>.
    /// Past <paramref name="maxCount"/> it is <see cref="DeviceRefusal.TooManyMemoryEntries"/>; entries
    /// the request does not contain are <see cref="DeviceRefusal.PayloadPastRequest"/>.
    /// </summary>
    public static DeviceRefusal TryReadEntries<TCommand>(ReadOnlySpan<byte> request, uint count, int maxCount,
        out ReadOnlySpan<MemoryEntry> entries) where TCommand : unmanaged
    {
        entries = default;
        if (count > (uint)maxCount) return DeviceRefusal.TooManyMemoryEntries;
        if (!TryReadTrailing<TCommand>(request, (ulong)count * (ulong)Unsafe.SizeOf<MemoryEntry>(), out var bytes))
            return DeviceRefusal.PayloadPastRequest;
        entries = MemoryMarshal.Cast<byte, MemoryEntry>(bytes);
        return DeviceRefusal.None;
    }

    /// <summary>The <paramref name="length"/> bytes right after a <typeparamref name="TCommand"/>, if the request has them.</summary>
    public static bool TryReadTrailing<TCommand>(ReadOnlySpan<byte> request, ulong length, out ReadOnlySpan<byte> trailing)
        where TCommand : unmanaged
    {
        int start = Unsafe.SizeOf<TCommand>();
        if (request.Length < start || length > (ulong)(request.Length - start))
        {
            trailing = default;
            return false;
        }
        trailing = request.Slice(start, (int)length);
        return true;
    }
}
