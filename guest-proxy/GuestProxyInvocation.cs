using Microsoft.Extensions.Configuration;

namespace CrossDomain.GuestProxy;

/// <summary>What one run of crossdomain-proxy was asked to do, decided from its arguments and settings.</summary>
public abstract record GuestProxyInvocation
{
    private GuestProxyInvocation()
    {
    }

    public sealed record ShowHelp(string Text) : GuestProxyInvocation;

    public sealed record ShowVersion(string Text) : GuestProxyInvocation;

    /// <param name="WaylandSocketPath">Where the proxy listens: $XDG_RUNTIME_DIR joined with the socket name.</param>
    /// <param name="Configuration">All merged settings, for the Generic Host (logging reads its section).</param>
    public sealed record Serve(GuestProxyOptions Options, string WaylandSocketPath, IConfiguration Configuration)
        : GuestProxyInvocation;

    /// <summary><c>run -- APP [ARGS...]</c>: always the local transport, with a host socket.</summary>
    /// <param name="AppArguments">Everything after APP, exactly as given, even words that look like options.</param>
    public sealed record RunApp(
        GuestProxyOptions Options, string App, IReadOnlyList<string> AppArguments, IConfiguration Configuration)
        : GuestProxyInvocation;

    /// <param name="Problem">One line naming the bad option, variable, key or file.</param>
    public sealed record Misconfigured(string Problem) : GuestProxyInvocation;
}
