using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>What a scanout shows: <see cref="Rect"/> of 2D resource <see cref="ResourceId"/>, or nothing (id 0).</summary>
public readonly record struct ScanoutState(uint ResourceId, Rect Rect)
{
    public bool IsEnabled => ResourceId != 0;
}
