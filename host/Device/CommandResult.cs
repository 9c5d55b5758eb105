using System.Runtime.CompilerServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// What a command handler produced: the response type and how many bytes of the response buffer
/// (header included) it fills. Handlers write their payload after the header; the device writes
/// the header itself.
/// </summary>
internal readonly record struct CommandResult(CommandType Type, int Length)
{
    public static readonly int HeaderSize = Unsafe.SizeOf<ControlHeader>();

    public static CommandResult NoData => new(CommandType.OkNoData, HeaderSize);

    /// <summary>A context deferred the command (<see cref="GpuError.NotYet"/>): nothing to answer yet.</summary>
    public static CommandResult Deferred => new(default, -1);

    public bool IsError => Type >= CommandType.ErrorUnspecified;

    public bool IsDeferred => Length < 0;

    public static CommandResult Failure(GpuError error) => error switch
    {
        GpuError.None => NoData,
        GpuError.NotYet => Deferred,
        _ => new CommandResult(error.ToResponseType(), HeaderSize),
    };

    public static CommandResult WithPayload<TResponse>(CommandType type) where TResponse : unmanaged =>
        new(type, Unsafe.SizeOf<TResponse>());

    public static implicit operator CommandResult(GpuError error) => Failure(error);
}
