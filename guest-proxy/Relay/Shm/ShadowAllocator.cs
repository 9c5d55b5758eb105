using CrossDomain.GuestProxy.Channel;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Formats;

namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// Host memory for one client's shm buffers: the host's image requirements per format and size
/// (asked once, then cached: the answer names a reusable template), shadow blobs made from them,
/// and one small placeholder blob that stands in for every pool until its first buffer.
/// </summary>
internal sealed class ShadowAllocator(CrossDomainChannel channel)
{
    private const uint PlaceholderWidth = 64;
    private const uint PlaceholderHeight = 64;

    private readonly Dictionary<(uint Width, uint Height, uint Fourcc), CrossDomainImageRequirements> _requirements = [];
    private (uint ResourceId, int Size)? _placeholder;

    public int CachedRequirements => _requirements.Count;

    public CrossDomainImageRequirements Requirements(uint width, uint height, uint drmFourcc)
    {
        if (!_requirements.TryGetValue((width, height, drmFourcc), out var requirements))
        {
            requirements = channel.GetImageRequirements(width, height, drmFourcc, ImageUsageFlags.Linear);
            if (requirements.Size == 0 || requirements.Size > int.MaxValue)
                throw new CrossDomainChannelException($"the host cannot make a {width}x{height} image of format 0x{drmFourcc:x8}", Tmds.Linux.LibC.ENOMEM);
            _requirements[(width, height, drmFourcc)] = requirements;
        }
        return requirements;
    }

    /// <summary>A new host blob laid out as <paramref name="requirements"/> says, mapped here.</summary>
    public MappedBuffer Create(in CrossDomainImageRequirements requirements) =>
        channel.CreateMappedBlob(requirements.BlobId, requirements.Size);

    /// <summary>
    /// The blob a pool is created from on the host until it gets its first buffer. The host only
    /// needs some memory for the pool object; the same blob serves every pool (each SEND of it
    /// gives the compositor its own fd).
    /// </summary>
    public (uint ResourceId, int Size) Placeholder()
    {
        if (_placeholder is not { } placeholder)
        {
            var requirements = Requirements(PlaceholderWidth, PlaceholderHeight, PackedDrmFormats.R8);
            _placeholder = placeholder = (channel.CreateUnmappedBlob(requirements.BlobId, requirements.Size), (int)requirements.Size);
        }
        return placeholder;
    }
}
