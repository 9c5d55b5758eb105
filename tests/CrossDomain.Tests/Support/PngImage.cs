using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CrossDomain.Tests.Support;

/// <summary>
/// Reads the PNGs that weston-screenshooter writes (through cairo: 8-bit RGB or RGBA, not interlaced)
/// into a <see cref="Screenshot"/>, alpha dropped as everywhere else in the tests. Anything else is a
/// test failure naming what the file holds, not a half-read image.
/// </summary>
public static class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    public static Screenshot Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.True(file.AsSpan().StartsWith(Signature), $"{path} does not start with the PNG signature");

        int width = 0, height = 0, bytesPerPixel = 0;
        using var compressed = new MemoryStream();
        int offset = Signature.Length;
        while (offset + 12 <= file.Length)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset)));
            string type = Encoding.ASCII.GetString(file, offset + 4, 4);
            var data = file.AsSpan(offset + 8, length);
            if (type == "IHDR")
            {
                width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                byte bitDepth = data[8], colourType = data[9], interlace = data[12];
                Assert.True(bitDepth == 8 && colourType is 2 or 6 && interlace == 0,
                    $"{path}: bit depth {bitDepth}, colour type {colourType}, interlace {interlace}; only 8-bit RGB(A) without interlacing is read");
                bytesPerPixel = colourType == 6 ? 4 : 3;
            }
            else if (type == "IDAT")
            {
                compressed.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }
            offset += 12 + length;
        }
        Assert.True(width > 0 && height > 0, $"{path} has no IHDR chunk");

        compressed.Position = 0;
        using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
        int stride = width * bytesPerPixel;
        byte[] previous = new byte[stride], current = new byte[stride];
        var pixels = new uint[width * height];
        for (int y = 0; y < height; y++)
        {
            int filter = inflater.ReadByte();
            Assert.True(filter is >= 0 and <= 4, $"{path}: row {y} has filter {filter}");
            inflater.ReadExactly(current);
            Unfilter(filter, current, previous, bytesPerPixel);
            for (int x = 0; x < width; x++)
            {
                int at = x * bytesPerPixel;
                pixels[y * width + x] = (uint)(current[at] << 16 | current[at + 1] << 8 | current[at + 2]);
            }
            (previous, current) = (current, previous);
        }
        return new Screenshot(width, height, pixels);
    }

    private static void Unfilter(int filter, byte[] row, byte[] above, int bytesPerPixel)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
            int up = above[i];
            int upLeft = i >= bytesPerPixel ? above[i - bytesPerPixel] : 0;
            row[i] += filter switch
            {
                1 => (byte)left,
                2 => (byte)up,
                3 => (byte)((left + up) / 2),
                4 => Paeth(left, up, upLeft),
                _ => 0,
            };
        }
    }

    private static byte Paeth(int left, int up, int upLeft)
    {
        int estimate = left + up - upLeft;
        int toLeft = Math.Abs(estimate - left), toUp = Math.Abs(estimate - up), toUpLeft = Math.Abs(estimate - upLeft);
        if (toLeft <= toUp && toLeft <= toUpLeft) return (byte)left;
        return toUp <= toUpLeft ? (byte)up : (byte)upLeft;
    }
}
