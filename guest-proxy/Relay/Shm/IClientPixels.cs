namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// Where a shadowed buffer's pixels are copied from: a client's wl_shm pool, or a client's GPU
/// buffer whose rendering is read back from the host first.
/// </summary>
internal interface IClientPixels : IDisposable
{
    /// <summary>Whether the memory still backs its first <paramref name="length"/> bytes.</summary>
    bool Backs(long length);

    ReadOnlySpan<byte> GetSpan(long offset, int length);

    /// <summary>
    /// Makes the pixels of <paramref name="region"/> (clipped to the buffer) current in the memory
    /// <see cref="GetSpan"/> reads, before they are copied.
    /// </summary>
    void Refresh(DamageRegion region, in BufferLayout layout);
}

/// <summary>Where a buffer's pixels are in its memory.</summary>
internal readonly record struct BufferLayout(long Offset, int Width, int Height, int Stride, int BytesPerPixel);
