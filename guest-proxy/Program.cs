using System.Diagnostics;
using CrossDomain.CommandLine;
using CrossDomain.GuestProxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

string executableDirectory = AppContext.BaseDirectory;
GuestProxyInvocation invocation = GuestProxyCommandLine.Parse(args, EnvironmentSnapshot.OfProcess(), executableDirectory);
switch (invocation)
{
    case GuestProxyInvocation.ShowHelp help:
        Console.Out.Write(help.Text);
        return ExitCode.Success;
    case GuestProxyInvocation.ShowVersion version:
        Console.Out.WriteLine(version.Text);
        return ExitCode.Success;
    case GuestProxyInvocation.Misconfigured misconfigured:
        return ConsoleReport.Misconfiguration(GuestProxyCommandLine.ProgramName, misconfigured.Problem);
    case GuestProxyInvocation.Serve serve:
        LogSettings(serve.Configuration, logger =>
        {
            string? minimumLevel = serve.Configuration[StandardOptions.LogLevelConfigurationKey];
            if (serve.Options.Transport == GuestProxyTransport.Kernel)
                GuestProxyStartupLog.KernelSettings(logger, serve.Options.Device, serve.WaylandSocketPath, minimumLevel);
            else
                GuestProxyStartupLog.LocalSettings(logger, serve.Options.HostSocket, serve.WaylandSocketPath, minimumLevel);
        });
        return ConsoleReport.NotBuiltYet(GuestProxyCommandLine.ProgramName, "the guest proxy");
    case GuestProxyInvocation.RunApp run:
        LogSettings(run.Configuration, logger =>
            GuestProxyStartupLog.RunSettings(logger, run.App, run.AppArguments.Count, run.Options.HostSocket,
                run.Configuration[StandardOptions.LogLevelConfigurationKey]));
        return ConsoleReport.NotBuiltYet(GuestProxyCommandLine.ProgramName, "'run' (local mode for one app)");
    default:
        throw new UnreachableException($"Unhandled invocation {invocation}.");
}

void LogSettings(IConfiguration configuration, Action<ILogger> log)
{
    HostApplicationBuilder builder = ServiceHost.CreateBuilder(GuestProxyCommandLine.ProgramName, configuration, executableDirectory);
    // Disposing the host flushes the console logger, so the settings line is out before the verdict.
    using IHost host = builder.Build();
    log(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(GuestProxyCommandLine.ProgramName));
}
