using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class CapsetCommandTests : IDisposable
{
    private readonly DeviceHarness _harness = new(contextTypes:
    [
        new FakeTimelineContextType(CapsetId.CrossDomain, capsetMaxSize: 16, capsetMaxVersion: 0),
        new FakeTimelineContextType(CapsetId.Virgl, capsetMaxSize: 308, capsetMaxVersion: 1, is3D: true),
        new FakeTimelineContextType(CapsetId.GfxstreamVulkan, capsetMaxSize: 0x2000, capsetMaxVersion: 2, is3D: true),
    ]);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Capset_info_indexes_are_dense_in_ascending_capset_id_order()
    {
        var infos = Enumerable.Range(0, 3)
            .Select(index => _harness.SendOk(GetCapsetInfo((uint)index), CommandType.OkCapsetInfo).Read<CapsetInfoResponse>())
            .Select(info => (info.CapsetId, info.CapsetMaxVersion, info.CapsetMaxSize))
            .ToArray();
        Assert.Equal([(CapsetId.Virgl, 1u, 308u), (CapsetId.GfxstreamVulkan, 2u, 0x2000u), (CapsetId.CrossDomain, 0u, 16u)], infos);
    }

    [Fact]
    public void Capset_info_past_the_last_index_is_refused()
    {
        _harness.SendFails(GetCapsetInfo(3), GpuError.InvalidParameter);
        _harness.SendFails(GetCapsetInfo(uint.MaxValue), GpuError.InvalidParameter);
    }

    [Theory]
    [InlineData(CapsetId.CrossDomain, 0u)]
    [InlineData(CapsetId.Virgl, 1u)]
    [InlineData(CapsetId.GfxstreamVulkan, 2u)]
    public void Get_capset_answers_with_exactly_max_size_bytes_of_that_version(CapsetId capsetId, uint version)
    {
        Assert.True(_harness.Registry.TryGet(capsetId, out var type));
        var reply = _harness.SendOk(GetCapset(capsetId, version), CommandType.OkCapset);
        Assert.Equal(24 + (int)type.CapsetMaxSize, reply.Response.Length);
        var capset = reply.Response.AsSpan(24);
        for (int i = 0; i < capset.Length; i++)
            Assert.Equal(FakeTimelineContextType.ExpectedCapsetByte(capsetId, version, i), capset[i]);
    }

    [Fact]
    public void Get_capset_refuses_unknown_ids_and_versions_above_the_maximum()
    {
        _harness.SendFails(GetCapset(CapsetId.Venus, 0), GpuError.InvalidParameter);
        _harness.SendFails(GetCapset((CapsetId)0, 0), GpuError.InvalidParameter);
        _harness.SendFails(GetCapset(CapsetId.CrossDomain, 1), GpuError.InvalidParameter);
        _harness.SendFails(GetCapset(CapsetId.Virgl, uint.MaxValue), GpuError.InvalidParameter);
    }
}
