using System.Diagnostics;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Tests.CrossDomain;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Microsoft.Extensions.Logging;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.Firewall;

/// <summary>
/// A malicious guest against a real weston started with --debug, which offers its privileged
/// globals: the guest skips the proxy and writes raw Wayland into its own cross-domain contexts.
/// weston's proto debug stream (weston-debug, run on the host side) shows what weston really got.
/// </summary>
public sealed class WestonFirewallTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Binding_privileged_globals_ends_that_context_only_and_titles_reach_weston_marked_with_the_vm()
    {
        using var weston = HeadlessWeston.Start(debug: true);
        // The compositor's own names for what the guest must never reach, learned the way any host client would.
        var direct = WaylandInfo.ListGlobals(weston);
        uint screenshooter = direct.Single(global => global.Interface == "weston_screenshooter").Name;
        uint debug = direct.Single(global => global.Interface == "weston_debug_v1").Name;
        using var proto = ProtoLog.Start(weston);

        using var device = new CrossDomainDevice(weston.SocketPath, firewall: new WaylandFirewallOptions());
        var guest = device.CreateGuest(1).CreateRings().Init();
        var window = new BridgedWaylandClient(guest);
        var globals = window.GetGlobals();
        Assert.DoesNotContain(globals, global => global.Interface.StartsWith("weston_", StringComparison.Ordinal));
        Assert.DoesNotContain(globals, global => global.Name == screenshooter || global.Name == debug);

        // A window whose title would pass for a host one.
        var (toplevel, _, _, _, requests) = TitledWindow(window, "Bank");
        window.Send(requests);
        window.Roundtrip();
        proto.WaitFor($"rq xdg_toplevel@{toplevel}.set_title(\"[guest] Bank\")");

        // The same guest binds weston_screenshooter by its compositor name: refused, and its connection ends.
        var attacker = guest;
        RefusedBind(device, attacker, window.Registry, screenshooter, "weston_screenshooter", "GlobalNotAllowed");
        var hangUp = attacker.PollForMessage();
        Assert.Equal(CrossDomainCommand.Receive, hangUp.Command);
        Assert.Empty(hangUp.Data);
        Assert.Empty(hangUp.Identifiers);
        var writer = window.Requests();
        WlDisplay.SyncRequest.Encode(ref writer, 1, 1000);
        attacker.SubmitFails(CrossDomainCommands.Send(writer.Written), GpuError.Unspecified);

        // Another context of the same VM tries weston_debug_v1: refused too.
        var second = device.CreateGuest(2).CreateRings().Init();
        var secondClient = new BridgedWaylandClient(second);
        secondClient.GetGlobals();
        RefusedBind(device, second, secondClient.Registry, debug, "weston_debug_v1", "GlobalNotAllowed");

        // weston is still there, and the device serves a new context.
        var third = new BridgedWaylandClient(device.CreateGuest(3).CreateRings().Init());
        Assert.Contains(third.GetGlobals(), global => global.Interface == "wl_compositor");
        Assert.NotEmpty(WaylandInfo.ListGlobals(weston));

        // Until here weston logged every request of every client: no bind of either reached it.
        string log = proto.Stop();
        Assert.Contains(log.Split('\n'), line => line.Contains(".bind(", StringComparison.Ordinal) && line.Contains("\"xdg_wm_base\"", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Split('\n'), line => line.Contains(".bind(", StringComparison.Ordinal)
            && (line.Contains("\"weston_screenshooter\"", StringComparison.Ordinal) || line.Contains($"bind({debug}, \"weston_debug_v1\"", StringComparison.Ordinal)));
        Assert.DoesNotContain("set_title(\"Bank\")", log, StringComparison.Ordinal);
    }

    [Fact]
    public void Requests_cut_anywhere_between_sends_reach_weston_whole_and_the_title_still_marked()
    {
        using var weston = HeadlessWeston.Start(debug: true);
        using var proto = ProtoLog.Start(weston);
        using var device = new CrossDomainDevice(weston.SocketPath, firewall: new WaylandFirewallOptions());
        var window = new BridgedWaylandClient(device.CreateGuest(1).CreateRings().Init());
        window.GetGlobals();
        var (toplevel, wmBase, surface, xdgSurface, stream) = TitledWindow(window, "Cut");

        // Three SENDs, cut inside a header and inside the title's string: the compositor must see
        // the same messages as from one SEND.
        int[] cuts = [6, stream.Length - 5];
        window.Send(stream.AsSpan(0, cuts[0]));
        window.Send(stream.AsSpan(cuts[0], cuts[1] - cuts[0]));
        window.Send(stream.AsSpan(cuts[1]));
        window.Roundtrip();
        proto.WaitFor($"rq xdg_toplevel@{toplevel}.set_title(\"[guest] Cut\")");
        Assert.Contains($"xdg_wm_base@{wmBase}.get_xdg_surface(new id xdg_surface@{xdgSurface}, wl_surface@{surface})", proto.Stop(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_surface_past_the_limit_ends_that_context_and_never_reaches_weston()
    {
        using var weston = HeadlessWeston.Start(debug: true);
        using var proto = ProtoLog.Start(weston);
        using var device = new CrossDomainDevice(weston.SocketPath, firewall: new WaylandFirewallOptions { MaxSurfaces = 2 });
        var guest = device.CreateGuest(1).CreateRings().Init();
        var window = new BridgedWaylandClient(guest);
        window.GetGlobals();
        uint compositor = window.Bind(WlCompositor.Interface, 4);
        // Ids in order, as libwayland wants them: the third is taken after the round trip's callback.
        uint[] surfaces = [window.NewObject(WlSurface.Interface), window.NewObject(WlSurface.Interface), 0];

        // Up to the limit: both reach weston.
        var writer = window.Requests();
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, surfaces[0]);
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, surfaces[1]);
        window.Send(writer.Written);
        window.Roundtrip();
        proto.WaitFor($"wl_compositor@{compositor}.create_surface(new id wl_surface@{surfaces[1]})");

        // One past it: refused, one warning, the connection ends.
        surfaces[2] = window.NewObject(WlSurface.Interface);
        int warningsBefore = Warnings(device).Count;
        var bytes = new byte[64];
        var third = new WireWriter(bytes);
        WlCompositor.CreateSurfaceRequest.Encode(ref third, compositor, surfaces[2]);
        guest.SubmitFails(CrossDomainCommands.Send(third.Written), GpuError.InvalidParameter);
        string warning = Assert.Single(Warnings(device).Skip(warningsBefore));
        Assert.Contains("VM guest", warning);
        Assert.Contains("TooManySurfaces", warning);
        Assert.Contains($"wl_compositor.create_surface(new id {surfaces[2]}) past 2 surfaces", warning);
        var hangUp = guest.PollForMessage();
        Assert.Equal(CrossDomainCommand.Receive, hangUp.Command);
        Assert.Empty(hangUp.Data);

        // The device serves another context of the VM.
        var other = new BridgedWaylandClient(device.CreateGuest(2).CreateRings().Init());
        Assert.Contains(other.GetGlobals(), global => global.Interface == "wl_compositor");
        Assert.DoesNotContain($"create_surface(new id wl_surface@{surfaces[2]})", proto.Stop(), StringComparison.Ordinal);
    }

    /// <summary>The requests for a surface, its xdg_surface and toplevel, and a title; they are not sent yet.</summary>
    private static (uint Toplevel, uint WmBase, uint Surface, uint XdgSurface, byte[] Requests) TitledWindow(BridgedWaylandClient window, string title)
    {
        uint compositor = window.Bind(WlCompositor.Interface, 4);
        uint wmBase = window.Bind(XdgWmBase.Interface, 1);
        uint surface = window.NewObject(WlSurface.Interface);
        uint xdgSurface = window.NewObject(XdgSurface.Interface);
        uint toplevel = window.NewObject(XdgToplevel.Interface);
        var writer = window.Requests();
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, surface);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, wmBase, xdgSurface, surface);
        XdgSurface.GetToplevelRequest.Encode(ref writer, xdgSurface, toplevel);
        XdgToplevel.SetTitleRequest.Encode(ref writer, toplevel, title);
        return (toplevel, wmBase, surface, xdgSurface, writer.Written.ToArray());
    }

    private static void RefusedBind(CrossDomainDevice device, CrossDomainGuest guest, uint registry, uint name, string interfaceName, string rule)
    {
        int warningsBefore = Warnings(device).Count;
        var bytes = new byte[256];
        var writer = new WireWriter(bytes);
        WlRegistry.BindRequest.Encode(ref writer, registry, name, interfaceName, 1, 500);
        guest.SubmitFails(CrossDomainCommands.Send(writer.Written), GpuError.InvalidParameter);
        string warning = Assert.Single(Warnings(device).Skip(warningsBefore));
        Assert.Contains("VM guest", warning);
        Assert.Contains(rule, warning);
        Assert.Contains($"wl_registry.bind(name {name}, \"{interfaceName}\", version 1", warning);
    }

    private static List<string> Warnings(CrossDomainDevice device)
    {
        lock (device.Logger.Entries)
            return device.Logger.Entries.Where(entry => entry.Level == LogLevel.Warning).Select(entry => entry.Message).ToList();
    }

    /// <summary>weston-debug subscribed to weston's proto stream, which logs each client's requests with their arguments.</summary>
    private sealed class ProtoLog : IDisposable
    {
        private readonly Process _process;
        private readonly string _path;
        private bool _disposed;

        private ProtoLog(Process process, string path)
        {
            _process = process;
            _path = path;
        }

        public static ProtoLog Start(HeadlessWeston weston)
        {
            string path = Path.Join(weston.RuntimeDirectory, "proto.log");
            var start = new ProcessStartInfo("weston-debug") { ArgumentList = { "-o", path, "proto" }, UseShellExecute = false, RedirectStandardError = true };
            weston.ApplyTo(start);
            var log = new ProtoLog(Process.Start(start)!, path);
            // Subscribed once another client's requests show up.
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                WaylandInfo.ListGlobals(weston);
                if (log.Read().Contains("get_registry", StringComparison.Ordinal)) return log;
                if (deadline.Elapsed > Patience) throw new TimeoutException("weston-debug proto logged nothing");
                Thread.Sleep(100);
            }
        }

        public void WaitFor(string text)
        {
            var deadline = Stopwatch.StartNew();
            while (!Read().Contains(text, StringComparison.Ordinal))
            {
                Assert.True(deadline.Elapsed < Patience, $"weston's proto log never showed {text}:\n{Read()}");
                Thread.Sleep(50);
            }
        }

        public string Stop()
        {
            Dispose();
            return Read();
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (!_process.HasExited)
            {
                Tmds.Linux.LibC.kill(_process.Id, Tmds.Linux.LibC.SIGTERM);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill();
            }
            _process.Dispose();
        }

        private string Read()
        {
            if (!File.Exists(_path)) return "";
            using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
    }
}
