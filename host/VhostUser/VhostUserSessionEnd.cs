using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>How and why a session ended, for the log and for the session's owner.</summary>
/// <param name="Refusal">For <see cref="SessionEndReason.RequestFailed"/>: why the request was refused.</param>
/// <param name="Detail">For <see cref="SessionEndReason.InternalFault"/>: what the exception said.</param>
public sealed record VhostUserSessionEnd(SessionEndReason Reason, FrontendRequest Request = FrontendRequest.None,
    ChannelError ChannelError = ChannelError.None, VhostUserRefusal Refusal = default, string? Detail = null)
{
    public override string ToString()
    {
        var request = Request == FrontendRequest.None ? "" : $" at {Request}";
        var channel = ChannelError == ChannelError.None ? "" : $" ({ChannelError})";
        var refusal = Refusal.IsRefused ? $": {Refusal}" : "";
        var detail = Detail is null ? "" : $": {Detail}";
        return $"{Reason}{request}{channel}{refusal}{detail}";
    }
}
