namespace CrossDomain.GuestProxy;

/// <summary>How the proxy reaches a virtio-gpu device (DESIGN.md, "Two transports, one device").</summary>
public enum GuestProxyTransport
{
    /// <summary>Inside a VM: the Linux virtio_gpu driver, through DRM ioctls on a render node.</summary>
    Kernel,

    /// <summary>No VM: the proxy drives the host service's vhost-user socket itself.</summary>
    Local,
}
