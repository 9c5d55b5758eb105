namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// What the proxy follows of one wl_surface to copy only what changed: the pending attach and
/// damage, buffer scale and transform, and the shm buffers it has shown. Damage committed on one
/// buffer makes that area stale in the others, so a client that swaps buffers and damages only
/// what changed since the previous frame still gets every changed pixel copied.
/// </summary>
internal sealed class ShmSurface
{
    private readonly HashSet<uint> _shownBuffers = [];

    public bool HasPendingAttach { get; private set; }

    /// <summary>The pending buffer, 0 for a null attach.</summary>
    public uint PendingBuffer { get; private set; }

    public List<DamageRectangle> PendingSurfaceDamage { get; } = [];

    public DamageRegion PendingBufferDamage { get; } = new();

    public int PendingScale { get; set; } = 1;

    public uint PendingTransform { get; set; }

    public int Scale { get; private set; } = 1;

    public uint Transform { get; private set; }

    /// <summary>A viewport changes the surface-to-buffer mapping; surface damage then counts as the whole buffer.</summary>
    public bool HasViewport { get; set; }

    /// <summary>The buffer the last commit showed, 0 for none.</summary>
    public uint CurrentBuffer { get; private set; }

    public void Attach(uint buffer)
    {
        HasPendingAttach = true;
        PendingBuffer = buffer;
    }

    /// <summary>wl_surface.commit: the pending state becomes current. Returns the damage in buffer pixels.</summary>
    public DamageRegion Commit(int bufferWidth, int bufferHeight)
    {
        if (HasPendingAttach) CurrentBuffer = PendingBuffer;
        HasPendingAttach = false;
        Scale = PendingScale;
        Transform = PendingTransform;
        var damage = PendingBufferDamage;
        foreach (var rectangle in PendingSurfaceDamage)
        {
            damage.Add(HasViewport
                ? new DamageRectangle(0, 0, bufferWidth, bufferHeight)
                : SurfaceToBuffer.Map(rectangle, bufferWidth, bufferHeight, Scale, Transform));
        }
        PendingSurfaceDamage.Clear();
        return damage;
    }

    /// <summary>Call after the commit's damage was used.</summary>
    public void ClearDamage() => PendingBufferDamage.Clear();

    /// <summary>Records that <paramref name="buffer"/> was shown; returns every buffer shown so far, it included (a struct enumerator: no allocation per commit).</summary>
    public HashSet<uint>.Enumerator Show(uint buffer)
    {
        _shownBuffers.Add(buffer);
        return _shownBuffers.GetEnumerator();
    }

    public void Forget(uint buffer)
    {
        _shownBuffers.Remove(buffer);
        if (CurrentBuffer == buffer) CurrentBuffer = 0;
        if (PendingBuffer == buffer) PendingBuffer = 0;
    }
}
