using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// Where the host compositor listens, found as libwayland finds it from <c>WAYLAND_DISPLAY</c>: an
/// absolute path is used as it is, a name is looked up in <c>$XDG_RUNTIME_DIR</c>, and no name at all
/// means <c>wayland-0</c>.
/// </summary>
public static class CompositorSocketPath
{
    public const string DefaultDisplay = "wayland-0";

    /// <summary>sun_path holds 108 bytes, the terminating NUL included.</summary>
    public const int MaxPathBytes = 107;

    /// <param name="display">A socket name or an absolute path (a <c>WAYLAND_DISPLAY</c> value); null or empty for the default.</param>
    /// <param name="runtimeDirectory">The value of <c>XDG_RUNTIME_DIR</c>, if set.</param>
    /// <param name="problem">Why there is no path, in words for a log line.</param>
    public static bool TryResolve(string? display, string? runtimeDirectory,
        [NotNullWhen(true)] out string? path, [NotNullWhen(false)] out string? problem)
    {
        path = null;
        if (string.IsNullOrEmpty(display)) display = DefaultDisplay;
        if (display.Contains('\0'))
        {
            problem = "the Wayland display contains a NUL character";
            return false;
        }
        if (display.StartsWith('/'))
        {
            path = display;
        }
        else if (string.IsNullOrEmpty(runtimeDirectory))
        {
            problem = $"the Wayland display '{display}' is a name, but XDG_RUNTIME_DIR is not set";
            return false;
        }
        else if (!runtimeDirectory.StartsWith('/'))
        {
            // The XDG base directory spec says a relative value is to be ignored.
            problem = $"the Wayland display '{display}' is a name, but XDG_RUNTIME_DIR '{runtimeDirectory}' is not absolute";
            return false;
        }
        else
        {
            path = Path.Join(runtimeDirectory, display);
        }

        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            problem = $"the compositor socket path '{path}' is longer than a Unix socket address allows ({MaxPathBytes} bytes)";
            path = null;
            return false;
        }
        problem = null;
        return true;
    }

    /// <summary>The same, from this process's <c>XDG_RUNTIME_DIR</c>.</summary>
    public static bool TryResolve(string? display, [NotNullWhen(true)] out string? path, [NotNullWhen(false)] out string? problem) =>
        TryResolve(display, Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"), out path, out problem);
}
