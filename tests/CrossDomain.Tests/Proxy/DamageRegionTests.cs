using CrossDomain.GuestProxy.Relay.Shm;

namespace CrossDomain.Tests.Proxy;

public sealed class DamageRegionTests
{
    [Fact]
    public void Contained_rectangles_are_not_kept_twice()
    {
        var region = new DamageRegion();
        region.Add(new DamageRectangle(0, 0, 100, 100));
        region.Add(new DamageRectangle(10, 10, 5, 5));
        Assert.Equal([new DamageRectangle(0, 0, 100, 100)], region.Rectangles);
        region.Add(new DamageRectangle(0, 0, 200, 200));
        Assert.Equal([new DamageRectangle(0, 0, 200, 200)], region.Rectangles);
    }

    [Fact]
    public void Past_the_limit_the_region_is_the_bounding_box()
    {
        var region = new DamageRegion();
        for (int i = 0; i <= DamageRegion.MaxRectangles; i++) region.Add(new DamageRectangle(i * 10, 0, 5, 5));
        Assert.Equal([new DamageRectangle(0, 0, DamageRegion.MaxRectangles * 10 + 5, 5)], region.Rectangles);
    }

    [Fact]
    public void Empty_rectangles_are_ignored()
    {
        var region = new DamageRegion();
        region.Add(new DamageRectangle(5, 5, 0, 10));
        region.Add(new DamageRectangle(5, 5, -3, 10));
        Assert.True(region.IsEmpty);
    }
}
