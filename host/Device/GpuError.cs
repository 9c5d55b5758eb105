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
}

public static class GpuErrorExtensions
{
    /// <summary>The response type that reports <paramref name="error"/>; OK_NODATA for <see cref="GpuError.None"/>.</summary>
    public static CommandType ToResponseType(this GpuError error) =>
        error == GpuError.None ? CommandType.OkNoData : (CommandType)error;
}
