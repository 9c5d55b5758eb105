using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using CrossDomain.CommandLine;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Listening;
using CrossDomain.VirtioGpu.Driver;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Service;

/// <summary>
/// <c>crossdomain-proxy run -- APP</c>: a private proxy socket in a fresh directory, APP started with
/// WAYLAND_DISPLAY naming it (an absolute path, which libwayland accepts), the proxy's exit code
/// APP's. SIGINT and SIGTERM are passed on to APP, and the proxy stops only once APP has exited.
/// </summary>
internal static class AppRunner
{
    public static int Run(GuestProxyInvocation.RunApp run, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(GuestProxyCommandLine.ProgramName);
        Func<IVirtioGpuDriver> openDriver = () => VirtioGpuDriverFactory.Open(run.Options);
        try
        {
            GuestProxyService.CheckDevice(openDriver);
        }
        catch (IOException failure)
        {
            Console.Error.WriteLine($"{GuestProxyCommandLine.ProgramName}: {failure.Message} (is crossdomain-host serving {run.Options.HostSocket}?)");
            return ExitCode.Failure;
        }

        string parent = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && Directory.Exists(runtime) ? runtime : Path.GetTempPath();
        var directory = Directory.CreateDirectory(Path.Combine(parent, $"crossdomain-run-{Environment.ProcessId}"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            using var server = ProxyServerFactory.Create(WaylandSocketListener.Open(directory.FullName, "wayland-0"), openDriver, run.Options, loggers);
            server.Start();
            string socketPath = Path.Combine(directory.FullName, "wayland-0");
            var start = new ProcessStartInfo(run.App) { UseShellExecute = false };
            foreach (string argument in run.AppArguments) start.ArgumentList.Add(argument);
            start.Environment["WAYLAND_DISPLAY"] = socketPath;
            start.Environment.Remove("WAYLAND_SOCKET");
            Process app;
            try
            {
                app = Process.Start(start)!;
            }
            catch (Win32Exception failure)
            {
                Console.Error.WriteLine($"{GuestProxyCommandLine.ProgramName}: cannot start {run.App}: {failure.Message}");
                return 127;
            }
            using (app)
            using (PosixSignalRegistration.Create(PosixSignal.SIGINT, context => PassOn(context, app)))
            using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => PassOn(context, app)))
            {
                ProxyServiceLog.Started(logger, run.App, app.Id, socketPath);
                app.WaitForExit();
                ProxyServiceLog.Exited(logger, run.App, app.ExitCode);
                return app.ExitCode;
            }
        }
        finally
        {
            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void PassOn(PosixSignalContext context, Process app)
    {
        context.Cancel = true;
        try
        {
            if (!app.HasExited) Tmds.Linux.LibC.kill(app.Id, context.Signal == PosixSignal.SIGINT ? Tmds.Linux.LibC.SIGINT : Tmds.Linux.LibC.SIGTERM);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
