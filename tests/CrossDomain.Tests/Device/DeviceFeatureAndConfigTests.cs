using System.Buffers.Binary;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

public sealed class DeviceFeatureAndConfigTests : IDisposable
{
    private readonly DeviceHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Offers_virgl_edid_uuid_blob_context_init_and_version_1_but_no_ring_bits()
    {
        var expected = VirtioGpuFeatures.Virgl | VirtioGpuFeatures.Edid | VirtioGpuFeatures.ResourceUuid |
                       VirtioGpuFeatures.ResourceBlob | VirtioGpuFeatures.ContextInit | VirtioGpuFeatures.Version1;
        Assert.Equal((ulong)expected, _harness.Device.DeviceFeatures);
        Assert.Equal(0x1_0000_001FUL, _harness.Device.DeviceFeatures);
    }

    [Fact]
    public void Config_space_reports_one_scanout_and_one_capset_per_registered_type()
    {
        using var harness = new DeviceHarness(contextTypes:
            [new FakeTimelineContextType(CapsetId.CrossDomain), new FakeTimelineContextType(CapsetId.Virgl2)]);
        var config = ReadConfig(harness.Device, 0, 16);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(0)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(4)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(8)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(12)));
    }

    [Fact]
    public void Config_reads_at_an_offset_and_past_the_end_are_zero_filled()
    {
        Assert.Equal([1, 0, 0, 0, 1, 0, 0, 0], ReadConfig(_harness.Device, 8, 8));
        Assert.Equal(new byte[8], ReadConfig(_harness.Device, 16, 8));
        Assert.Equal(new byte[4], ReadConfig(_harness.Device, uint.MaxValue, 4));
        Assert.Equal([0, 1, 0, 0, 0, 0, 0, 0], ReadConfig(_harness.Device, 11, 8));
    }

    [Fact]
    public void Writing_events_clear_clears_those_bits_of_events_read()
    {
        _harness.Device.RaiseEvents(DeviceEvents.Display);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(ReadConfig(_harness.Device, 0, 4)));

        _harness.Device.WriteConfig(4, [0, 0, 0, 0]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(ReadConfig(_harness.Device, 0, 4)));

        _harness.Device.WriteConfig(4, [1, 0, 0, 0]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(ReadConfig(_harness.Device, 0, 4)));
    }

    [Fact]
    public void Writes_to_read_only_config_fields_change_nothing()
    {
        _harness.Device.RaiseEvents(DeviceEvents.Display);
        _harness.Device.WriteConfig(0, [0, 0, 0, 0]);
        _harness.Device.WriteConfig(8, [9, 9, 9, 9, 9, 9, 9, 9]);
        _harness.Device.WriteConfig(uint.MaxValue - 1, [0xFF, 0xFF, 0xFF, 0xFF]);
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], ReadConfig(_harness.Device, 0, 16));
    }

    [Fact]
    public void Options_outside_their_range_are_refused_when_the_device_is_made()
    {
        var registry = new ContextTypeRegistry();
        using var memory = new MemfdGuestMemory();
        using var window = new RecordingHostVisibleWindow(0);
        using var loop = new EventLoop();
        var tooWide = new VirtioGpuDeviceOptions { DisplayWidth = 5000 };
        var noContexts = new VirtioGpuDeviceOptions { Limits = new DeviceLimits { MaxContexts = 0 } };
        Assert.Throws<ArgumentOutOfRangeException>(() => new VirtioGpuDevice(tooWide, registry, memory, window, new RecordingLogger(), loop));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VirtioGpuDevice(noContexts, registry, memory, window, new RecordingLogger(), loop));
    }

    private static byte[] ReadConfig(VirtioGpuDevice device, uint offset, int length)
    {
        var bytes = new byte[length];
        device.ReadConfig(offset, bytes);
        return bytes;
    }
}
