using System.Diagnostics;
using CrossDomain.CommandLine;
using CrossDomain.GuestProxy;
using CrossDomain.GuestProxy.Service;
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
    {
        HostApplicationBuilder builder = ServiceHost.CreateBuilder(GuestProxyCommandLine.ProgramName, serve.Configuration, executableDirectory);
        builder.Services.AddSingleton(services => GuestProxyService.Prepare(serve, services.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService<GuestProxyService>();
        using IHost host = builder.Build();
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(GuestProxyCommandLine.ProgramName);
        string? minimumLevel = serve.Configuration[StandardOptions.LogLevelConfigurationKey];
        if (serve.Options.Transport == GuestProxyTransport.Kernel)
            GuestProxyStartupLog.KernelSettings(logger, serve.Options.Device, serve.WaylandSocketPath, minimumLevel);
        else
            GuestProxyStartupLog.LocalSettings(logger, serve.Options.HostSocket, serve.WaylandSocketPath, minimumLevel);
        try
        {
            // Resolved here, before the host runs: a missing device or a taken socket name is one line.
            host.Services.GetRequiredService<CrossDomain.GuestProxy.Relay.GuestProxyServer>();
            host.Run();
        }
        catch (Exception exception) when (exception is IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            // Startup failures (no device, a socket name in use) are one line, no trace.
            Console.Error.WriteLine($"{GuestProxyCommandLine.ProgramName}: {exception.Message}");
            return ExitCode.Failure;
        }
        return ExitCode.Success;
    }
    case GuestProxyInvocation.RunApp run:
    {
        using IHost host = ServiceHost.CreateBuilder(GuestProxyCommandLine.ProgramName, run.Configuration, executableDirectory).Build();
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();
        GuestProxyStartupLog.RunSettings(loggers.CreateLogger(GuestProxyCommandLine.ProgramName), run.App, run.AppArguments.Count,
            run.Options.HostSocket, run.Configuration[StandardOptions.LogLevelConfigurationKey]);
        return AppRunner.Run(run, loggers);
    }
    default:
        throw new UnreachableException($"Unhandled invocation {invocation}.");
}
