using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// Why a command failed, one value per virtio error response. The device uses them consistently:
/// a malformed request (too short for what it claims) is <see cref="Unspecified"/>, an id that names
/// nothing is the matching Invalid*Id, a value or state the command cannot accept is
/// <see cref="InvalidParameter"/>, a limit reached is <see cref="OutOfMemory"/>, and a host-side
/// failure is <see cref="Unspecified"/>.
/// </summary>
public enum GpuError : uint
{
    None = 0,
    Unspecified = CommandType.ErrorUnspecified,
    OutOfMemory = CommandType.ErrorOutOfMemory,
    InvalidScanoutId = CommandType.ErrorInvalidScanoutId,
    InvalidResourceId = CommandType.ErrorInvalidResourceId,
    InvalidContextId = CommandType.ErrorInvalidContextId,
    InvalidParameter = CommandType.ErrorInvalidParameter,

    /// <summary>
    /// Not a response. <see cref="IGpuContext.Submit"/> returns it, before doing anything, for a
    /// submission the context cannot take yet (a compositor that is not reading): the device leaves
    /// the command unanswered and takes no further command from the queue until the context calls
    /// <see cref="GpuContextSetup.SubmissionsReady"/>, then hands it the same submission again.
    /// That is how a guest that writes faster than the compositor reads is slowed down, without
    /// losing a byte. Anywhere else it counts as <see cref="Unspecified"/>.
    /// </summary>
    NotYet = 0xFFFF_FFFF,
}

public static class GpuErrorExtensions
{
    /// <summary>The response type that reports <paramref name="error"/>; OK_NODATA for <see cref="GpuError.None"/>.</summary>
    public static CommandType ToResponseType(this GpuError error) => error switch
    {
        GpuError.None => CommandType.OkNoData,
        GpuError.NotYet => CommandType.ErrorUnspecified,
        _ => (CommandType)error,
    };
}
