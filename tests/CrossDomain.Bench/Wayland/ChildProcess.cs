using System.Diagnostics;

namespace CrossDomain.Bench.Wayland;

/// <summary>Starting and stopping the servers the bench runs, with their output kept for errors.</summary>
internal static class ChildProcess
{
    public static Process Start(ProcessStartInfo start, Action<string>? onOutputLine = null)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        // Read both pipes always: a server that logs into a full pipe stalls, which would be measured.
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) onOutputLine?.Invoke(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) onOutputLine?.Invoke(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static readonly TimeSpan ExitPatience = TimeSpan.FromSeconds(10);

    /// <summary>
    /// SIGTERM (the services stop cleanly on it and weston reaps its children), then a kill. Every
    /// wait is bounded: the parameterless WaitForExit also waits for the end of the redirected
    /// output, which never comes while a descendant that outlived the process holds the pipes.
    /// </summary>
    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                Tmds.Linux.LibC.kill(process.Id, Tmds.Linux.LibC.SIGTERM);
                if (!process.WaitForExit(ExitPatience)) process.Kill(entireProcessTree: true);
            }
            if (!process.WaitForExit(ExitPatience))
                Console.Error.WriteLine($"{process.StartInfo.FileName} (pid {process.Id}) did not exit within {ExitPatience.TotalSeconds} s of a kill");
        }
        finally
        {
            process.Dispose();
        }
    }
}
