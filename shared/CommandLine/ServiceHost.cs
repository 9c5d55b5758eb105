using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using GenericHost = Microsoft.Extensions.Hosting.Host;

namespace CrossDomain.CommandLine;

/// <summary>
/// The Generic Host both services run in, built from the already checked settings. The host's own
/// defaults are turned off because they would add a second, unchecked configuration stack (every
/// environment variable, appsettings.json from the working directory, raw argv) beside ours.
/// </summary>
public static class ServiceHost
{
    public static HostApplicationBuilder CreateBuilder(string applicationName, IConfiguration settings, string executableDirectory)
    {
        HostApplicationBuilder builder = GenericHost.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = applicationName,
            ContentRootPath = executableDirectory,
        });
        builder.Configuration.AddConfiguration(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // One line per message: a journal or a terminal reads badly with the default two-line layout.
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        // After the console setup, so that under systemd its journal-friendly format is the one used;
        // it also reports readiness and stopping to systemd once the host runs.
        builder.Services.AddSystemd();
        return builder;
    }
}
