using System.Runtime.InteropServices;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// The cross-domain context type, capset 5 (PROTOCOL.md B.1): Wayland from guest proxies
/// (sommelier, wayland-proxy-virtwl, ours) relayed to the host compositor, with buffers in host
/// memory the guest maps.
/// </summary>
public sealed class CrossDomainContextType : IContextType
{
    private readonly CrossDomainOptions _options;
    private readonly ILogger _logger;
    private readonly FirewallPolicy? _firewall;

    public CrossDomainContextType(CrossDomainOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Limits.Validate();
        if (options.WaylandSocketPath is { } path && !path.StartsWith('/'))
            throw new ArgumentException($"The compositor socket path must be absolute: '{path}'.", nameof(options));
        _options = options;
        _logger = logger;
        _firewall = options.Firewall.Enabled ? new FirewallPolicy(options.Firewall) : null;
    }

    public CapsetId CapsetId => CapsetId.CrossDomain;

    public uint CapsetMaxVersion => CrossDomainCapabilities.CapsetMaxVersion;

    public uint CapsetMaxSize => CrossDomainCapabilities.CapsetMaxSize;

    public bool Is3D => false;

    /// <summary>The capability set every version reads (there is only version 0).</summary>
    public CrossDomainCapabilities Capabilities => new()
    {
        Version = CrossDomainCapabilities.CurrentVersion,
        SupportedChannels = _options.WaylandSocketPath is null ? 0 : CrossDomainCapabilities.ChannelBit(ChannelType.Wayland),
        SupportsDmabuf = _options.SupportsDmabuf ? 1u : 0u,
        // Nothing here allocates GPU memory other contexts could use.
        SupportsExternalGpuMemory = 0,
        Extensions = CrossDomainExtensions.GuestMemoryTransfers,
    };

    public void WriteCapset(uint version, Span<byte> destination)
    {
        var capabilities = Capabilities;
        MemoryMarshal.Write(destination, in capabilities);
    }

    public GpuError CreateContext(GpuContextSetup setup, out IGpuContext? context)
    {
        ArgumentNullException.ThrowIfNull(setup);
        context = new CrossDomainContext(setup, _options, _firewall, _logger);
        return GpuError.None;
    }
}
