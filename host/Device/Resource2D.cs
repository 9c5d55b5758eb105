using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// A RESOURCE_CREATE_2D image: host pixel storage that TRANSFER_TO_HOST_2D fills from the guest
/// backing, four bytes a pixel, rows of <see cref="Stride"/> bytes with no padding.
/// </summary>
public sealed class Resource2D : GpuResource
{
    public const int BytesPerPixel = 4;

    private readonly byte[] _pixels;

    internal Resource2D(uint id, VirtioGpuFormat format, uint width, uint height) : base(id)
    {
        Format = format;
        Width = width;
        Height = height;
        _pixels = new byte[checked((int)((ulong)width * height * BytesPerPixel))];
    }

    public VirtioGpuFormat Format { get; }

    public uint Width { get; }

    public uint Height { get; }

    public int Stride => (int)Width * BytesPerPixel;

    public ReadOnlySpan<byte> Pixels => _pixels;

    internal Span<byte> WritablePixels => _pixels;

    /// <summary>Whether <paramref name="rect"/> lies inside the image, computed without overflow.</summary>
    public bool Contains(in Rect rect) =>
        (ulong)rect.X + rect.Width <= Width && (ulong)rect.Y + rect.Height <= Height;

    /// <summary>The formats a 2D resource may have (PROTOCOL.md A.7): all four bytes a pixel.</summary>
    public static bool IsSupportedFormat(VirtioGpuFormat format) => format is
        VirtioGpuFormat.B8G8R8A8Unorm or VirtioGpuFormat.B8G8R8X8Unorm or
        VirtioGpuFormat.A8R8G8B8Unorm or VirtioGpuFormat.X8R8G8B8Unorm or
        VirtioGpuFormat.R8G8B8A8Unorm or VirtioGpuFormat.X8B8G8R8Unorm or
        VirtioGpuFormat.A8B8G8R8Unorm or VirtioGpuFormat.R8G8B8X8Unorm;
}
