using System.Runtime.InteropServices;

namespace CrossDomain.Tests.VirtioGpu;

/// <summary>Structs to and from the bytes a peer would see, written as hex for readable tests.</summary>
internal static class WireBytes
{
    public static string ToHex<T>(in T value) where T : unmanaged =>
        Convert.ToHexString(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    /// <summary>Spaces in <paramref name="hex"/> are only for the reader.</summary>
    public static T FromHex<T>(string hex) where T : unmanaged =>
        MemoryMarshal.Read<T>(Convert.FromHexString(hex.Replace(" ", "")));

    public static string Normalize(string hex) => hex.Replace(" ", "").ToUpperInvariant();
}
