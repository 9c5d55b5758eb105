using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay.Shm;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.GuestProxy.Relay.Dmabuf;

/// <summary>
/// A client's GPU buffer as shadow pixels: its guest backing, into which each commit first reads
/// back from the host renderer the rectangles about to be copied, and nothing else.
/// </summary>
internal sealed class GpuBufferPixels(CrossDomainChannel channel, MappedBuffer buffer) : IClientPixels
{
    public bool Backs(long length) => length <= buffer.Length;

    public ReadOnlySpan<byte> GetSpan(long offset, int length) => buffer.GetSpan(offset, length);

    public void Refresh(DamageRegion region, in BufferLayout layout)
    {
        foreach (var rectangle in region)
        {
            var area = rectangle.ClipTo(layout.Width, layout.Height);
            if (area.IsEmpty) continue;
            var box = new Box { X = (uint)area.X, Y = (uint)area.Y, Width = (uint)area.Width, Height = (uint)area.Height, Depth = 1 };
            long offset = layout.Offset + (long)area.Y * layout.Stride + (long)area.X * layout.BytesPerPixel;
            channel.ReadBack(buffer, box, checked((uint)offset));
        }
    }

    public void Dispose() => buffer.Dispose();
}
