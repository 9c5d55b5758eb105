namespace CrossDomain.GuestProxy.Relay;

/// <summary>A client broke the protocol: it gets wl_display.error with these and is disconnected.</summary>
internal sealed class ClientProtocolException(uint objectId, uint code, string message) : Exception(message)
{
    public uint ObjectId { get; } = objectId;

    public uint Code { get; } = code;
}

/// <summary>wl_display.error codes (wayland.xml, wl_display.error enum).</summary>
internal static class DisplayError
{
    public const uint InvalidObject = 0;
    public const uint InvalidMethod = 1;
    public const uint NoMemory = 2;
    public const uint Implementation = 3;
}

/// <summary>wl_shm.error codes.</summary>
internal static class ShmError
{
    public const uint InvalidFormat = 0;
    public const uint InvalidStride = 1;
    public const uint InvalidFd = 2;
}

/// <summary>zwp_linux_buffer_params_v1.error codes.</summary>
internal static class ParamsError
{
    public const uint AlreadyUsed = 0;
    public const uint PlaneIdx = 1;
    public const uint PlaneSet = 2;
    public const uint Incomplete = 3;
    public const uint InvalidFormat = 4;
    public const uint InvalidDimensions = 5;
    public const uint OutOfBounds = 6;
}
