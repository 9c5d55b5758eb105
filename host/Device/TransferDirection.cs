namespace CrossDomain.Host.Device;

/// <summary>Which way a 3D transfer copies, seen from the guest backing.</summary>
public enum TransferDirection
{
    /// <summary>TRANSFER_TO_HOST_3D: guest backing → host resource.</summary>
    ToHost,

    /// <summary>TRANSFER_FROM_HOST_3D: host resource → guest backing.</summary>
    FromHost,
}
