using System.Diagnostics;
using CrossDomain.Interop;

namespace CrossDomain.Bench.Wayland;

/// <summary>Waits until a server listens on its Unix socket: the file alone may exist before listen().</summary>
internal static class SocketWait
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static void UntilAccepting(string socketPath, Process server, string serverName)
    {
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < Patience)
        {
            if (server.HasExited) throw new InvalidOperationException($"{serverName} exited with {server.ExitCode} before listening on {socketPath}");
            if (File.Exists(socketPath))
            {
                try
                {
                    using var probe = UnixSocket.Connect(socketPath);
                    return;
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    // Bound but not listening yet.
                }
            }
            Thread.Sleep(20);
        }
        throw new TimeoutException($"{serverName} did not listen on {socketPath} within {Patience.TotalSeconds} s");
    }
}
