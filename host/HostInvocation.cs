using Microsoft.Extensions.Configuration;

namespace CrossDomain.Host;

/// <summary>What one run of crossdomain-host was asked to do, decided from its arguments and settings.</summary>
public abstract record HostInvocation
{
    private HostInvocation()
    {
    }

    public sealed record ShowHelp(string Text) : HostInvocation;

    public sealed record ShowVersion(string Text) : HostInvocation;

    /// <param name="Configuration">All merged settings, for the Generic Host (logging reads its section).</param>
    public sealed record Serve(HostServiceOptions Options, IConfiguration Configuration) : HostInvocation;

    /// <param name="Problem">One line naming the bad option, variable, key or file.</param>
    public sealed record Misconfigured(string Problem) : HostInvocation;
}
