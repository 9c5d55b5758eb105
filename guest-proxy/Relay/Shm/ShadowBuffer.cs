using CrossDomain.GuestProxy.Channel;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// A client wl_buffer (from a shm pool, or a GPU buffer read back) and its shadow: a host blob laid
/// out as the host's image requirements say, which the host compositor reads. Client pixels reach
/// it only by <see cref="CopyDamage"/>, and only where they may differ; where the shadow is a guest
/// copy, the same rectangles are then transferred to the host.
/// </summary>
internal sealed class ShadowBuffer(IClientPixels pixels, in BufferLayout layout, MappedBuffer shadow, int shadowStride) : IDisposable
{
    private readonly BufferLayout _layout = layout;

    /// <summary>Where the shadow is behind the client's buffer: at first all of it.</summary>
    public DamageRegion Stale { get; } = Whole(layout.Width, layout.Height);

    public int Width => _layout.Width;

    public int Height => _layout.Height;

    public bool IsGuestCopy => shadow.IsGuestCopy;

    public uint ResourceId => shadow.ResourceId;

    /// <summary>Whether the shadow was filled once: until then the whole buffer is stale.</summary>
    public bool IsFilled { get; private set; }

    /// <summary>Copies <paramref name="damage"/> and everything stale from the client's memory; returns the bytes copied, or -1 when the client's memory no longer backs the buffer.</summary>
    public long CopyDamage(DamageRegion damage)
    {
        Stale.Add(damage);
        var (offset, width, height, stride, bytesPerPixel) = _layout;
        if (!pixels.Backs(offset + (long)stride * height)) return -1;
        pixels.Refresh(Stale, _layout);
        long copied = 0;
        foreach (var rectangle in Stale)
        {
            var area = rectangle.ClipTo(width, height);
            if (area.IsEmpty) continue;
            int rowBytes = area.Width * bytesPerPixel;
            for (int row = area.Y; row < area.Y + area.Height; row++)
            {
                var source = pixels.GetSpan(offset + (long)row * stride + (long)area.X * bytesPerPixel, rowBytes);
                source.CopyTo(shadow.GetSpan((long)row * shadowStride + (long)area.X * bytesPerPixel, rowBytes));
            }
            copied += (long)rowBytes * area.Height;
            if (shadow.IsGuestCopy)
                shadow.TransferToHost(new Box { X = (uint)area.X, Y = (uint)area.Y, Width = (uint)area.Width, Height = (uint)area.Height, Depth = 1 });
        }
        Stale.Clear();
        IsFilled = true;
        return copied;
    }

    /// <summary>The bytes of this buffer that <paramref name="damage"/> covers, as the client posted it (overlaps counted twice).</summary>
    public long BytesIn(DamageRegion damage)
    {
        long bytes = 0;
        foreach (var rectangle in damage) bytes += rectangle.ClipTo(_layout.Width, _layout.Height).Area * _layout.BytesPerPixel;
        return bytes;
    }

    public void Dispose()
    {
        shadow.Dispose();
        pixels.Dispose();
    }

    /// <summary>When the whole context goes (and the blob with it): only the client's memory is let go.</summary>
    public void ReleaseClientMemory() => pixels.Dispose();

    private static DamageRegion Whole(int width, int height)
    {
        var region = new DamageRegion();
        region.Add(new DamageRectangle(0, 0, width, height));
        return region;
    }
}
