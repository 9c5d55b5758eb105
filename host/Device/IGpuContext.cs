namespace CrossDomain.Host.Device;

/// <summary>
/// One guest context of some <see cref="IContextType"/>. The device calls it only from its loop
/// thread; anything a call hands over (spans) is valid only during that call. Disposing it is
/// CTX_DESTROY: the device has already completed the replies waiting on its fences.
/// </summary>
public interface IGpuContext : IDisposable
{
    /// <summary>
    /// SUBMIT_3D: a command stream in the context type's own format. <see cref="GpuError.NotYet"/>
    /// defers the whole submission (see there): only before any of it has been carried out.
    /// </summary>
    GpuError Submit(ReadOnlySpan<byte> commands);

    /// <summary>CTX_ATTACH_RESOURCE: from now on the context may use <paramref name="resource"/>.</summary>
    void AttachResource(GpuResource resource);

    /// <summary>CTX_DETACH_RESOURCE, or the resource is being unreferenced.</summary>
    void DetachResource(GpuResource resource);

    /// <summary>
    /// RESOURCE_CREATE_BLOB with HOST3D or HOST3D_GUEST memory for this context: makes the host
    /// memory behind <see cref="HostBlobRequest.BlobId"/>. The device owns the returned blob.
    /// </summary>
    GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob);

    /// <summary>
    /// A fenced command on ring <paramref name="ringIndex"/> (0..63) has been executed: signal
    /// <paramref name="fenceId"/> through <see cref="GpuContextSetup.Fences"/> once the ring's work
    /// before it is done — at once, inside this call, when there is none.
    /// </summary>
    GpuError CreateFence(byte ringIndex, ulong fenceId);
}
