using System.Diagnostics;

namespace CrossDomain.Tests.Support;

/// <summary>
/// A private Xvfb X server, for weston's x11 backend: the headless backend has no wl_seat, the
/// x11 one has a seat with a keyboard (TESTING.md). Xvfb picks a free display number itself
/// (-displayfd) and is stopped in every outcome.
/// </summary>
public sealed class XvfbDisplay : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private bool _stopped;

    private XvfbDisplay(Process process, string display)
    {
        _process = process;
        Display = display;
    }

    /// <summary>The DISPLAY value, e.g. ":3".</summary>
    public string Display { get; }

    public static bool IsInstalled => HeadlessWeston.ExecutableOnPath("Xvfb") is not null;

    public static XvfbDisplay Start(int width, int height)
    {
        string executable = HeadlessWeston.ExecutableOnPath("Xvfb")
            ?? throw new InvalidOperationException("Xvfb is not installed: run deploy/install-deps.sh");
        var start = new ProcessStartInfo(executable)
        {
            // -displayfd 1: the first free display from 0 up, written to stdout once it accepts clients.
            ArgumentList = { "-displayfd", "1", "-screen", "0", $"{width}x{height}x24", "-nolisten", "tcp", "-noreset" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Xvfb did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var number = process.StandardOutput.ReadLineAsync();
        if (!number.Wait(StartTimeout) || number.Result is not { Length: > 0 } display)
        {
            Stop(process);
            throw new TimeoutException($"Xvfb did not report a display within {StartTimeout}");
        }
        return new XvfbDisplay(process, ":" + display.Trim());
    }

    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        Stop(_process);
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                Tmds.Linux.LibC.kill(process.Id, Tmds.Linux.LibC.SIGTERM);
                if (!process.WaitForExit(TimeSpan.FromSeconds(10))) process.Kill();
            }
            process.WaitForExit();
        }
        finally
        {
            // Read synchronously, so Process.Dispose leaves the pipe open for the finalizer.
            process.StandardOutput.Dispose();
            process.Dispose();
        }
    }
}
