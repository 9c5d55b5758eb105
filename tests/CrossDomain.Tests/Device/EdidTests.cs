using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

public sealed class EdidTests
{
    [Theory]
    [InlineData(1024u, 768u)]
    [InlineData(1920u, 1080u)]
    [InlineData(3840u, 2160u)]
    [InlineData(4095u, 4095u)]
    [InlineData(1u, 1u)]
    public void The_block_sums_to_zero_and_its_preferred_timing_is_the_mode(uint width, uint height)
    {
        var edid = EdidFor(width, height);
        Assert.Equal(0, edid.Aggregate(0, (sum, value) => sum + value) % 256);
        Assert.Equal([0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00], edid[..8]);
        Assert.Equal(1, edid[18]);
        Assert.Equal(4, edid[19]);
        Assert.Equal(0, edid[126]);

        var timing = edid.AsSpan(54, 18);
        Assert.NotEqual(0, timing[0] | timing[1]);
        Assert.Equal(width, (uint)(timing[2] | ((timing[4] >> 4) << 8)));
        Assert.Equal(height, (uint)(timing[5] | ((timing[7] >> 4) << 8)));
    }

    [Fact]
    public void The_monitor_is_named_and_the_manufacturer_is_three_letters()
    {
        var edid = EdidFor(1024, 768);
        var name = edid.AsSpan(72, 18);
        Assert.Equal(0xFC, name[3]);
        Assert.Equal("CrossDomain\n ", System.Text.Encoding.ASCII.GetString(name[5..]));

        int manufacturer = (edid[8] << 8) | edid[9];
        Assert.Equal(0, manufacturer >> 15);
        foreach (int shift in new[] { 10, 5, 0 }) Assert.InRange((manufacturer >> shift) & 0x1F, 1, 26);
    }

    [Fact]
    public void The_physical_size_matches_96_dpi()
    {
        var edid = EdidFor(1920, 1080);
        Assert.Equal(51, edid[21]);
        Assert.Equal(29, edid[22]);
    }

    private static byte[] EdidFor(uint width, uint height)
    {
        using var harness = new DeviceHarness(options: new VirtioGpuDeviceOptions { DisplayWidth = width, DisplayHeight = height });
        var response = harness.SendOk(GpuRequests.GetEdid(0), CommandType.OkEdid).Read<EdidResponse>();
        ReadOnlySpan<byte> block = response.Edid;
        return block[..(int)response.Size].ToArray();
    }
}
