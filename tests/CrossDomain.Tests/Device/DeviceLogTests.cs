using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

/// <summary>What a guest can put in the host's log: its context names only escaped, its floods only in part.</summary>
public sealed class DeviceLogTests
{
    [Fact]
    public void A_context_name_with_a_newline_and_an_ansi_escape_is_logged_escaped()
    {
        using var harness = new DeviceHarness();
        harness.SendOk(CreateContext(1, (uint)CapsetId.CrossDomain, "app\nContext 9 created: fake\u001b[31mred\\"));

        var line = Assert.Single(harness.Logger.Entries, entry => entry.Message.StartsWith("Context 1 created", StringComparison.Ordinal)).Message;
        Assert.Contains(@"app\x0aContext 9 created: fake\x1b[31mred\x5c", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u001b', line);
        // The context itself still gets the name as the guest sent it.
        Assert.Equal("app\nContext 9 created: fake\u001b[31mred\\", harness.CrossDomainType[1].Setup.DebugName);
    }

    [Fact]
    public void A_flood_of_a_guest_triggered_warning_gives_at_most_the_allowance_then_one_line_counting_the_rest()
    {
        const int Flood = 100;
        var clock = new ManualClock();
        using var harness = new DeviceHarness(time: clock);
        harness.CreateContext(1);
        harness.SendOk(CreateBlob(1, BlobMemory.Host3D, BlobFlags.UseMappable, DeviceHarness.PageSize, contextId: 1));
        harness.Window.FailMaps = true;

        for (int i = 0; i < Flood; i++) harness.SendRefused(MapBlob(1, 0), DeviceRefusal.MapFailed);
        Assert.Equal(LogRateLimiter.LinesPerWindow, MapFailures(harness));
        // Debug lines are not limited: whoever turns them on asked for every one.
        Assert.Equal(Flood, harness.Refusals.Count(refusal => refusal == DeviceRefusal.MapFailed));

        clock.Advance(LogRateLimiter.Window);
        harness.SendRefused(MapBlob(1, 0), DeviceRefusal.MapFailed);
        Assert.Equal(LogRateLimiter.LinesPerWindow + 1, MapFailures(harness));
        var suppressed = Assert.Single(harness.Logger.Entries, entry => entry.Message.StartsWith("Left out", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, suppressed.Level);
        Assert.Contains($"Left out {Flood - LogRateLimiter.LinesPerWindow} lines of event 130", suppressed.Message, StringComparison.Ordinal);
    }

    private static int MapFailures(DeviceHarness harness) =>
        harness.Logger.Entries.Count(entry => entry.Level == LogLevel.Warning && entry.Message.StartsWith("Mapping blob", StringComparison.Ordinal));
}
