using System.Diagnostics;
using CrossDomain.CommandLine;
using CrossDomain.Host;
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
        HostApplicationBuilder builder = ServiceHost.CreateBuilder(HostCommandLine.ProgramName, serve.Configuration, executableDirectory);
        // Disposing the host flushes the console logger, so the settings line is out before the verdict.
        using (IHost host = builder.Build())
        {
            ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(HostCommandLine.ProgramName);
            HostStartupLog.Settings(logger, serve.Options.Socket, serve.Options.WaylandDisplay,
                serve.Configuration[StandardOptions.LogLevelConfigurationKey]);
        }
        return ConsoleReport.NotBuiltYet(HostCommandLine.ProgramName, "the vhost-user back-end");
    default:
        throw new UnreachableException($"Unhandled invocation {invocation}.");
}
