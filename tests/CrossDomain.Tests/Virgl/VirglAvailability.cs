using CrossDomain.Host.Renderers.Virgl;
using CrossDomain.Tests.Device;

namespace CrossDomain.Tests.Virgl;

/// <summary>
/// The process's virglrenderer for tests. A test skips only when the library is not installed;
/// a library that is there but cannot initialise (no EGL, no Mesa) is a failure, because the CI
/// machine installs both (deploy/install-deps.sh).
/// </summary>
internal static class VirglAvailability
{
    /// <summary>
    /// The renderer's logger: it is probed once per process, and tests open it here first, so its
    /// refusals are recorded here whichever device caused them.
    /// </summary>
    public static RecordingLogger Log { get; } = new();

    public static VirglRenderer Require()
    {
        var renderer = VirglRenderer.TryOpen(Log, out string? problem);
        Skip.If(renderer is null && problem!.Contains("cannot be loaded", StringComparison.Ordinal),
            $"libvirglrenderer1 is not installed: {problem}");
        Assert.True(renderer is not null, $"virglrenderer is installed but unusable: {problem}");
        return renderer!;
    }
}
