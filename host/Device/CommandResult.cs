using System.Runtime.CompilerServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// What a command handler produced: the response type, how many bytes of the response buffer
/// (header included) it fills, and for an error why the device refused. Handlers write their
/// payload after the header; the device writes the header itself.
/// </summary>
internal readonly record struct CommandResult(CommandType Type, int Length, DeviceRefusal Refusal = DeviceRefusal.None)
{
    public static readonly int HeaderSize = Unsafe.SizeOf<ControlHeader>();

    public static CommandResult NoData => new(CommandType.OkNoData, HeaderSize);

    /// <summary>A context deferred the command (<see cref="GpuError.NotYet"/>): nothing to answer yet.</summary>
    public static CommandResult Deferred => new(default, -1);

    public bool IsError => Type >= CommandType.ErrorUnspecified;

    public bool IsDeferred => Length < 0;

    public static CommandResult Refused(DeviceRefusal refusal) =>
        refusal == DeviceRefusal.None ? NoData : new CommandResult(refusal.ToResponseType(), HeaderSize, refusal);

    /// <summary>What a context (or a 3D resource's renderer) answered: its error goes to the guest as it chose.</summary>
    public static CommandResult FromContext(GpuError error) => error switch
    {
        GpuError.None => NoData,
        GpuError.NotYet => Deferred,
        _ => new CommandResult(error.ToResponseType(), HeaderSize, DeviceRefusal.ContextRefused),
    };

    public static CommandResult WithPayload<TResponse>(CommandType type) where TResponse : unmanaged =>
        new(type, Unsafe.SizeOf<TResponse>());

    public static implicit operator CommandResult(DeviceRefusal refusal) => Refused(refusal);
}
