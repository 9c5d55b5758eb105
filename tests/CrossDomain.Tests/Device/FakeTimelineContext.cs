using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

/// <summary>A FAKE context (see <see cref="FakeTimelineContextType"/>): records, and signals fences on command.</summary>
internal sealed class FakeTimelineContext(GpuContextSetup setup) : IGpuContext
{
    public GpuContextSetup Setup { get; } = setup;

    public bool SignalFencesAtOnce { get; set; }

    public bool IsDisposed { get; private set; }

    public List<byte[]> Submissions { get; } = [];

    public HashSet<uint> AttachedResourceIds { get; } = [];

    public List<string> ResourceEvents { get; } = [];

    public List<(byte RingIndex, ulong FenceId)> FencesCreated { get; } = [];

    public List<HostBlobRequest> BlobRequests { get; } = [];

    public GpuError SubmitError { get; set; }

    public GpuError BlobError { get; set; }

    public GpuError FenceError { get; set; }

    /// <summary>When set, blobs are made this long instead of the requested size.</summary>
    public ulong? BlobMemorySize { get; set; }

    public MapCacheType BlobCacheType { get; set; } = MapCacheType.Cached;

    public bool BlobWritable { get; set; } = true;

    public bool ThrowOnSubmit { get; set; }

    /// <summary>Cleared by allocation tests: recording submissions and fences allocates.</summary>
    public bool RecordsCalls { get; set; } = true;

    /// <summary>Bytes the blob for <paramref name="blobId"/> is filled with: byte i = blob id + i.</summary>
    public static byte ExpectedBlobByte(ulong blobId, int index) => (byte)(blobId + (ulong)index);

    public GpuError Submit(ReadOnlySpan<byte> commands)
    {
        if (ThrowOnSubmit) throw new InvalidOperationException("The fake context was told to throw.");
        if (RecordsCalls) Submissions.Add(commands.ToArray());
        return SubmitError;
    }

    public void AttachResource(GpuResource resource)
    {
        Assert.True(AttachedResourceIds.Add(resource.Id), $"resource {resource.Id} attached twice");
        ResourceEvents.Add($"attach {resource.Id}");
    }

    public void DetachResource(GpuResource resource)
    {
        Assert.True(AttachedResourceIds.Remove(resource.Id), $"resource {resource.Id} detached without being attached");
        ResourceEvents.Add($"detach {resource.Id}");
    }

    public GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob)
    {
        BlobRequests.Add(request);
        blob = null;
        if (BlobError != GpuError.None) return BlobError;
        ulong size = BlobMemorySize ?? request.Size;
        var memfd = MemFd.Create($"fake-blob-{request.BlobId}", (long)size);
        using (var mapping = MemoryMapping.Map(memfd, (long)size))
        {
            var bytes = mapping.Span;
            for (int i = 0; i < bytes.Length; i++) bytes[i] = ExpectedBlobByte(request.BlobId, i);
        }
        blob = new HostBlob(memfd, size, BlobCacheType, BlobWritable);
        return GpuError.None;
    }

    public GpuError CreateFence(byte ringIndex, ulong fenceId)
    {
        if (RecordsCalls) FencesCreated.Add((ringIndex, fenceId));
        if (FenceError != GpuError.None) return FenceError;
        if (SignalFencesAtOnce) Signal(ringIndex, fenceId);
        return GpuError.None;
    }

    /// <summary>The test's hand on the timeline: fence <paramref name="fenceId"/> on the ring is done.</summary>
    public void Signal(byte ringIndex, ulong fenceId) => Setup.Fences.Signal(ringIndex, fenceId);

    public void Dispose() => IsDisposed = true;
}
