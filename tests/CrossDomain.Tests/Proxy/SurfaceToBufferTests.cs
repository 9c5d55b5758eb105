using CrossDomain.GuestProxy.Relay.Shm;

namespace CrossDomain.Tests.Proxy;

/// <summary>wl_surface.damage mapped to buffer pixels through buffer scale and transform, as a compositor samples them.</summary>
public sealed class SurfaceToBufferTests
{
    [Fact]
    public void Without_scale_or_transform_surface_damage_is_buffer_damage()
    {
        Assert.Equal(new DamageRectangle(10, 20, 30, 40), SurfaceToBuffer.Map(new(10, 20, 30, 40), 200, 100, 1, 0));
    }

    [Fact]
    public void Scale_multiplies_every_edge()
    {
        Assert.Equal(new DamageRectangle(20, 40, 60, 80), SurfaceToBuffer.Map(new(10, 20, 30, 40), 400, 200, 2, 0));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(4u)]
    [InlineData(5u)]
    [InlineData(6u)]
    [InlineData(7u)]
    public void Every_transform_maps_the_whole_surface_to_the_whole_buffer_and_keeps_areas(uint transform)
    {
        const int bufferWidth = 200, bufferHeight = 100;
        bool swapped = (transform & 1) != 0;
        var whole = new DamageRectangle(0, 0, swapped ? bufferHeight : bufferWidth, swapped ? bufferWidth : bufferHeight);
        Assert.Equal(new DamageRectangle(0, 0, bufferWidth, bufferHeight), SurfaceToBuffer.Map(whole, bufferWidth, bufferHeight, 1, transform));

        var corner = new DamageRectangle(0, 0, 10, 5);
        var mapped = SurfaceToBuffer.Map(corner, bufferWidth, bufferHeight, 1, transform);
        Assert.Equal(corner.Area, mapped.Area);
        // A corner of the surface lands on a corner of the buffer, whichever one the transform picks.
        Assert.True(mapped.X == 0 || mapped.X + mapped.Width == bufferWidth);
        Assert.True(mapped.Y == 0 || mapped.Y + mapped.Height == bufferHeight);
    }

    [Fact]
    public void Damage_outside_the_surface_is_clipped_and_huge_values_do_not_overflow()
    {
        Assert.Equal(new DamageRectangle(0, 0, 200, 100), SurfaceToBuffer.Map(new(-50, -50, int.MaxValue, int.MaxValue), 200, 100, 1, 0));
        Assert.Equal(new DamageRectangle(0, 0, 200, 100), SurfaceToBuffer.Map(new(-1000, -1000, int.MaxValue, int.MaxValue), 200, 100, 2, 5));
        var hugeScale = SurfaceToBuffer.Map(new(0, 0, int.MaxValue, int.MaxValue), 200, 100, int.MaxValue, 0);
        Assert.Equal(hugeScale, hugeScale.ClipTo(200, 100));
        Assert.True(SurfaceToBuffer.Map(new(500, 500, 10, 10), 200, 100, 1, 0).IsEmpty);
    }
}
