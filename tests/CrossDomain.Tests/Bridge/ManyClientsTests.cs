using System.Diagnostics;
using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// Ten weston-simple-shm clients through one proxy, each on its own channel; one is killed while it
/// animates. The others keep drawing, and once all are gone the process that holds both the proxy
/// and the host service has exactly the fds it had before they came.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class ManyClientsTests(ITestOutputHelper output)
{
    private const int ClientCount = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Ten_clients_at_once_one_killed_mid_frame_the_others_keep_drawing_and_no_fd_is_left()
    {
        using var weston = HeadlessWeston.Start(width: 1024, height: 768);
        using var bridge = BridgedProxy.Start(weston);
        using var copied = new CopiedBytesListener(bridge.Server.Metrics.Meter);
        // One client first, so that what the first connection sets up once (the runtime's, not ours) is not counted.
        Assert.NotEmpty(WaylandInfo.ListGlobals(bridge.ApplyTo));
        bridge.WaitForClientCount(0, Timeout);
        var before = FdAccounting.Snapshot();

        var clients = new List<Process>();
        try
        {
            for (int i = 0; i < ClientCount; i++)
            {
                var start = new ProcessStartInfo("weston-simple-shm") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                bridge.ApplyTo(start);
                clients.Add(Process.Start(start)!);
            }
            bridge.WaitForClientCount(ClientCount, Timeout);
            var drawing = WaitUntilEveryClientDraws(copied, ClientCount, since: null);

            var victim = clients[3];
            victim.Kill();
            victim.WaitForExit();
            bridge.WaitForClientCount(ClientCount - 1, Timeout);
            var after = WaitUntilEveryClientDraws(copied, ClientCount - 1, since: drawing);
            output.WriteLine($"bytes copied per client before the kill: {string.Join(", ", drawing.Values)}; after: {string.Join(", ", after.Values)}");
            Assert.All(clients.Where(client => client != victim), client => Assert.False(client.HasExited, "a client exited"));
        }
        finally
        {
            foreach (var client in clients)
            {
                if (!client.HasExited) client.Kill();
                client.WaitForExit();
                client.Dispose();
            }
        }
        bridge.WaitForClientCount(0, Timeout);
        FdAccounting.AssertNoneOpenedSince(before);
    }

    /// <summary>Waits until <paramref name="count"/> clients have each copied more than they had in <paramref name="since"/>.</summary>
    private static Dictionary<int, long> WaitUntilEveryClientDraws(CopiedBytesListener copied, int count, IReadOnlyDictionary<int, long>? since)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var now = copied.PerClient;
            var progressing = now.Where(client => client.Value > (since?.GetValueOrDefault(client.Key) ?? 0)
                && (since is null || since.ContainsKey(client.Key))).ToDictionary();
            if (progressing.Count >= count) return progressing;
            Assert.True(DateTime.UtcNow < deadline, $"only {progressing.Count} of {count} clients drew");
            Thread.Sleep(100);
        }
    }
}
