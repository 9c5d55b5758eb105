namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// <see cref="WaylandFirewallOptions"/> made ready for the stream filters: built once per device,
/// shared (read-only) by all its contexts.
/// </summary>
internal sealed class FirewallPolicy
{
    private readonly AllowedGlobal[] _allowed;

    public FirewallPolicy(WaylandFirewallOptions options)
    {
        options.Validate();
        VmName = options.VmName;
        _allowed = options.Globals.Select(pair => new AllowedGlobal(pair.Key, pair.Value)).ToArray();
        Title = new StringTemplate(options.TitleFormat, options.VmName, "{title}");
        AppId = new StringTemplate(options.AppIdFormat, options.VmName, "{app_id}");
        MaxTrackedObjects = options.MaxTrackedObjects;
        MaxSurfaces = options.MaxSurfaces;
        MaxShmPoolBytes = (long)options.MaxShmPoolMib << 20;
        MaxBufferSize = options.MaxBufferSize;
        MaxSurfaceSize = options.MaxSurfaceSize;
        MaxRequestsPerSecond = options.MaxRequestsPerSecond;
        MaxRequestBurst = options.MaxRequestBurst;
        MaxMimeTypes = options.MaxMimeTypes;
        MaxMimeTypeLength = options.MaxMimeTypeLength;
        MaxTransferBytes = (long)options.MaxTransferMib << 20;
    }

    public string VmName { get; }

    public StringTemplate Title { get; }

    public StringTemplate AppId { get; }

    public int MaxTrackedObjects { get; }

    public int MaxSurfaces { get; }

    public long MaxShmPoolBytes { get; }

    public int MaxBufferSize { get; }

    public int MaxSurfaceSize { get; }

    public int MaxRequestsPerSecond { get; }

    public int MaxRequestBurst { get; }

    public int MaxMimeTypes { get; }

    public int MaxMimeTypeLength { get; }

    public long MaxTransferBytes { get; }

    /// <summary>The entry for an interface named in UTF-8, or null when it is not allowed. A short list: a scan beats hashing a span.</summary>
    public AllowedGlobal? Find(ReadOnlySpan<byte> utf8Name)
    {
        foreach (var allowed in _allowed)
            if (utf8Name.SequenceEqual(allowed.Utf8Name)) return allowed;
        return null;
    }
}
