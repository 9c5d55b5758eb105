using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// RESOURCE_FLUSH reached a scanout: <paramref name="rect"/> of <paramref name="resource"/> changed
/// and should be presented. Runs on the device's loop thread; the pixels are valid until the next
/// command for that resource.
/// </summary>
public delegate void ScanoutFlushedHandler(uint scanoutId, Resource2D resource, Rect rect);
