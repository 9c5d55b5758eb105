using System.Buffers.Binary;

namespace CrossDomain.Host.Device;

/// <summary>
/// Writes the 128-byte EDID 1.4 base block GET_EDID answers with: one preferred detailed timing for
/// the scanout's mode, a monitor name, sRGB colour, no extensions. Timings follow CVT reduced
/// blanking closely enough for a guest to accept the mode; nothing displays them on real hardware.
/// </summary>
internal static class EdidGenerator
{
    public const int BlockSize = 128;

    public const string MonitorName = "CrossDomain";

    /// <summary>Our three-letter manufacturer id (not a registered PNP id; EDID only needs letters).</summary>
    private const string ManufacturerId = "XDM";

    private const int ManufactureYear = 2025;
    private const int RefreshHz = 60;
    private const int DotsPerInch = 96;

    // CVT reduced blanking: fixed horizontal blanking, at least 460 µs of vertical blanking.
    private const uint HorizontalBlank = 160;
    private const uint HorizontalFrontPorch = 48;
    private const uint HorizontalSyncWidth = 32;
    private const uint VerticalFrontPorch = 3;
    private const uint VerticalSyncWidth = 6;
    private const uint MinimumVerticalBlank = VerticalFrontPorch + VerticalSyncWidth + 6;

    private const int DescriptorSize = 18;
    private const int FirstDescriptorOffset = 54;
    private const byte MonitorNameTag = 0xFC;
    private const byte DummyDescriptorTag = 0x10;

    /// <summary>Fills <paramref name="edid"/> (at least <see cref="BlockSize"/> bytes) for a <paramref name="width"/>×<paramref name="height"/> mode.</summary>
    public static void Write(Span<byte> edid, uint width, uint height)
    {
        var block = edid[..BlockSize];
        block.Clear();
        block[0] = 0x00;
        block[1..7].Fill(0xFF);
        block[7] = 0x00;
        BinaryPrimitives.WriteUInt16BigEndian(block[8..], PackManufacturerId(ManufacturerId));
        BinaryPrimitives.WriteUInt16LittleEndian(block[10..], 1); // product code
        block[17] = ManufactureYear - 1990;
        block[18] = 1; // EDID version 1.4
        block[19] = 4;
        block[20] = 0x80 | 0x20; // digital input, 8 bits per colour, interface not specified
        uint widthMillimetres = MillimetresAt96Dpi(width), heightMillimetres = MillimetresAt96Dpi(height);
        block[21] = (byte)Math.Min(255, (widthMillimetres + 5) / 10);
        block[22] = (byte)Math.Min(255, (heightMillimetres + 5) / 10);
        block[23] = 220 - 100; // gamma 2.2, stored as gamma × 100 − 100
        block[24] = 0x04 | 0x02; // sRGB is the default colour space; the preferred timing is the native mode
        WriteSrgbChromaticity(block[25..35]);
        // Bytes 35..37: no established timings. 38..53: all eight standard timings unused.
        for (int i = 38; i < 54; i++) block[i] = 0x01;
        WriteDetailedTiming(block.Slice(FirstDescriptorOffset, DescriptorSize), width, height, widthMillimetres, heightMillimetres);
        WriteMonitorName(block.Slice(FirstDescriptorOffset + DescriptorSize, DescriptorSize));
        WriteDisplayDescriptorHeader(block.Slice(FirstDescriptorOffset + 2 * DescriptorSize, DescriptorSize), DummyDescriptorTag);
        WriteDisplayDescriptorHeader(block.Slice(FirstDescriptorOffset + 3 * DescriptorSize, DescriptorSize), DummyDescriptorTag);
        block[126] = 0; // no extension blocks
        block[127] = Checksum(block[..127]);
    }

    /// <summary>The byte that makes the whole block sum to 0 modulo 256.</summary>
    public static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte value in bytes) sum += value;
        return (byte)(0x100 - sum);
    }

    private static ushort PackManufacturerId(string letters) =>
        (ushort)(((letters[0] - '@') << 10) | ((letters[1] - '@') << 5) | (letters[2] - '@'));

    private static uint MillimetresAt96Dpi(uint pixels) => (uint)(pixels * 25.4 / DotsPerInch);

    private static void WriteSrgbChromaticity(Span<byte> chromaticity)
    {
        // CIE xy of the sRGB primaries and D65 white, as 10-bit binary fractions.
        ReadOnlySpan<double> coordinates = [0.640, 0.330, 0.300, 0.600, 0.150, 0.060, 0.3127, 0.3290];
        Span<uint> tenBits = stackalloc uint[coordinates.Length];
        for (int i = 0; i < coordinates.Length; i++) tenBits[i] = (uint)Math.Round(coordinates[i] * 1024);
        // The two low bits of all eight values are packed into two bytes; the high eight bits follow.
        chromaticity[0] = (byte)(((tenBits[0] & 3) << 6) | ((tenBits[1] & 3) << 4) | ((tenBits[2] & 3) << 2) | (tenBits[3] & 3));
        chromaticity[1] = (byte)(((tenBits[4] & 3) << 6) | ((tenBits[5] & 3) << 4) | ((tenBits[6] & 3) << 2) | (tenBits[7] & 3));
        for (int i = 0; i < tenBits.Length; i++) chromaticity[2 + i] = (byte)(tenBits[i] >> 2);
    }

    private static void WriteDetailedTiming(Span<byte> descriptor, uint width, uint height, uint widthMillimetres, uint heightMillimetres)
    {
        uint verticalBlank = Math.Max(MinimumVerticalBlank, (uint)Math.Ceiling(height * 460e-6 * RefreshHz / (1 - 460e-6 * RefreshHz)));
        ulong pixelsPerFrame = (ulong)(width + HorizontalBlank) * (height + verticalBlank);
        // In units of 10 kHz, 16 bits: a mode too large for 60 Hz gets the fastest clock there is.
        ulong clock = Math.Min(ushort.MaxValue, (pixelsPerFrame * RefreshHz + 9_999) / 10_000);
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor, (ushort)clock);
        WriteTwelveBitPair(descriptor[2..], width, HorizontalBlank);
        WriteTwelveBitPair(descriptor[5..], height, verticalBlank);
        descriptor[8] = (byte)HorizontalFrontPorch;
        descriptor[9] = (byte)HorizontalSyncWidth;
        descriptor[10] = (byte)(((VerticalFrontPorch & 0xF) << 4) | (VerticalSyncWidth & 0xF));
        descriptor[11] = (byte)(((HorizontalFrontPorch >> 8) << 6) | ((HorizontalSyncWidth >> 8) << 4) |
                                ((VerticalFrontPorch >> 4) << 2) | (VerticalSyncWidth >> 4));
        descriptor[12] = (byte)widthMillimetres;
        descriptor[13] = (byte)heightMillimetres;
        descriptor[14] = (byte)(((widthMillimetres >> 8) << 4) | (heightMillimetres >> 8));
        descriptor[17] = 0x18 | 0x02; // digital separate sync, horizontal sync positive, vertical negative (as CVT-RB)
    }

    /// <summary>An active/blank pair: both low bytes, then a byte of both high nibbles.</summary>
    private static void WriteTwelveBitPair(Span<byte> destination, uint active, uint blank)
    {
        destination[0] = (byte)active;
        destination[1] = (byte)blank;
        destination[2] = (byte)(((active >> 8) << 4) | (blank >> 8));
    }

    private static void WriteMonitorName(Span<byte> descriptor)
    {
        WriteDisplayDescriptorHeader(descriptor, MonitorNameTag);
        // Up to 13 characters, ended by a line feed and padded with spaces.
        var text = descriptor[5..];
        text.Fill((byte)' ');
        for (int i = 0; i < MonitorName.Length; i++) text[i] = (byte)MonitorName[i];
        text[MonitorName.Length] = (byte)'\n';
    }

    /// <summary>A display descriptor (not a timing): zero pixel clock, then its tag at byte 3.</summary>
    private static void WriteDisplayDescriptorHeader(Span<byte> descriptor, byte tag)
    {
        descriptor.Clear();
        descriptor[3] = tag;
    }
}
