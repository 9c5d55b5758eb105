using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>How and why a session ended, for the log and for the session's owner.</summary>
public sealed record VhostUserSessionEnd(SessionEndReason Reason, FrontendRequest Request = FrontendRequest.None,
    ChannelError ChannelError = ChannelError.None, string? Detail = null)
{
    public override string ToString()
    {
        var request = Request == FrontendRequest.None ? "" : $" at {Request}";
        var channel = ChannelError == ChannelError.None ? "" : $" ({ChannelError})";
        var detail = Detail is null ? "" : $": {Detail}";
        return $"{Reason}{request}{channel}{detail}";
    }
}
