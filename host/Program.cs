using System.Diagnostics;
using CrossDomain.CommandLine;
using CrossDomain.Host;
using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.CrossDomain.Gbm;
using CrossDomain.Host.Device;
using CrossDomain.Host.Metrics;
using CrossDomain.Host.Renderers;
using CrossDomain.Host.Service;
using CrossDomain.Interop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

string executableDirectory = AppContext.BaseDirectory;
HostInvocation invocation = HostCommandLine.Parse(args, EnvironmentSnapshot.OfProcess(), executableDirectory);
switch (invocation)
{
    case HostInvocation.ShowHelp help:
        Console.Out.Write(help.Text);
        return ExitCode.Success;
    case HostInvocation.ShowVersion version:
        Console.Out.WriteLine(version.Text);
        return ExitCode.Success;
    case HostInvocation.Misconfigured misconfigured:
        return ConsoleReport.Misconfiguration(HostCommandLine.ProgramName, misconfigured.Problem);
    case HostInvocation.Serve serve:
        // Every VM's blobs, pipes and compositor fds share this one process's fd table.
        bool fdLimitKnown = ProcessFdTable.TryRaiseToHardLimit(out ulong fdSoftLimit, out ulong fdHardLimit);
        if (!CompositorSocketPath.TryResolve(serve.Options.WaylandDisplay, out string? compositorSocket, out string? problem))
            return ConsoleReport.Misconfiguration(HostCommandLine.ProgramName, $"--wayland-display: {problem}");
        HostApplicationBuilder builder = ServiceHost.CreateBuilder(HostCommandLine.ProgramName, serve.Configuration, executableDirectory);
        builder.Services.AddSingleton(serve.Options);
        builder.Services.AddSingleton(serve.Options.ToDeviceOptions());
        builder.Services.AddSingleton(services =>
        {
            var registry = new ContextTypeRegistry();
            var crossDomainLogger = services.GetRequiredService<ILoggerFactory>().CreateLogger("crossdomain-host.cross-domain");
            // The first 3D type registered serves Linux's implicit context (capset 0): virgl, as in crosvm.
            RendererContextTypes.RegisterVirgl(registry, serve.Options,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("crossdomain-host.virgl"));
            RendererContextTypes.RegisterGfxstream(registry, serve.Options,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("crossdomain-host.gfxstream"));
            if (serve.Options.Offers(HostServiceOptions.CrossDomainCapset))
                registry.Register(new CrossDomainContextType(new CrossDomainOptions
                {
                    WaylandSocketPath = compositorSocket,
                    Gbm = GbmAllocator.TryOpen(RenderNodes.First(), crossDomainLogger),
                    Firewall = serve.Options.ToFirewallOptions(),
                }, crossDomainLogger));
            return registry;
        });
        builder.Services.AddSingleton<HostMetrics>();
        builder.Services.AddHostedService<VhostUserService>();
        using (IHost host = builder.Build())
        {
            ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(HostCommandLine.ProgramName);
            HostStartupLog.Settings(logger, serve.Options.Socket, compositorSocket,
                serve.Configuration[StandardOptions.LogLevelConfigurationKey]);
            if (fdLimitKnown) HostStartupLog.FdLimit(logger, fdSoftLimit, fdHardLimit);
            else HostStartupLog.FdLimitUnknown(logger);
            if (!File.Exists(compositorSocket)) HostStartupLog.CompositorMissing(logger, compositorSocket);
            try
            {
                host.Run();
            }
            catch (Exception exception) when (exception is IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException or ArgumentException)
            {
                // Startup failures are misconfigurations (a socket path we cannot bind): one line, no trace.
                Console.Error.WriteLine($"{HostCommandLine.ProgramName}: {exception.Message}");
                return ExitCode.Failure;
            }
        }
        return ExitCode.Success;
    default:
        throw new UnreachableException($"Unhandled invocation {invocation}.");
}
