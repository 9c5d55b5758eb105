using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

public sealed class ContextTypeRegistryTests
{
    [Fact]
    public void Types_are_found_by_capset_id_and_listed_in_ascending_order()
    {
        var registry = new ContextTypeRegistry();
        var crossDomain = new FakeTimelineContextType(CapsetId.CrossDomain);
        var virgl2 = new FakeTimelineContextType(CapsetId.Virgl2, is3D: true);
        var magma = new FakeTimelineContextType(CapsetId.Magma);
        registry.Register(crossDomain);
        registry.Register(magma);
        registry.Register(virgl2);

        Assert.Equal(3, registry.Count);
        Assert.Equal([virgl2, crossDomain, magma], registry.InCapsetIdOrder);
        Assert.True(registry.TryGet(CapsetId.CrossDomain, out var found));
        Assert.Same(crossDomain, found);
        Assert.False(registry.TryGet(CapsetId.Venus, out _));
    }

    [Fact]
    public void The_default_type_is_the_first_registered_3d_type()
    {
        var registry = new ContextTypeRegistry();
        registry.Register(new FakeTimelineContextType(CapsetId.CrossDomain));
        Assert.Null(registry.DefaultType);

        var venus = new FakeTimelineContextType(CapsetId.Venus, is3D: true);
        registry.Register(venus);
        registry.Register(new FakeTimelineContextType(CapsetId.Virgl, is3D: true));
        Assert.Same(venus, registry.DefaultType);
    }

    [Fact]
    public void Ids_linux_would_reject_duplicates_and_oversized_capsets_are_refused()
    {
        var registry = new ContextTypeRegistry();
        registry.Register(new FakeTimelineContextType(CapsetId.CrossDomain));
        Assert.Throws<ArgumentException>(() => registry.Register(new FakeTimelineContextType(CapsetId.CrossDomain)));
        Assert.Throws<ArgumentException>(() => registry.Register(new FakeTimelineContextType((CapsetId)0)));
        Assert.Throws<ArgumentException>(() => registry.Register(new FakeTimelineContextType((CapsetId)64)));
        Assert.Throws<ArgumentException>(() =>
            registry.Register(new FakeTimelineContextType(CapsetId.Virgl, capsetMaxSize: ContextTypeRegistry.MaxCapsetSize + 1)));
        Assert.Equal(1, registry.Count);
    }
}
