using System.Text.Json;
using CrossDomain.GuestProxy;
using CrossDomain.Host;

namespace CrossDomain.Tests.Deploy;

/// <summary>
/// The documented appsettings.json of each service (deploy/config/): it loads, every setting the
/// option table has is in it, and what it states is exactly the defaults.
/// </summary>
public sealed class ConfigFileTests
{
    private static readonly Dictionary<string, string> Session = new() { ["XDG_RUNTIME_DIR"] = "/run/user/1000", ["WAYLAND_DISPLAY"] = "wayland-1" };

    [Fact]
    public void The_host_file_names_every_setting_and_states_the_defaults()
    {
        string file = Documented("crossdomain-host");
        var withFile = Assert.IsType<HostInvocation.Serve>(HostCommandLine.Parse([], Session, Beside(file)));
        var defaults = Assert.IsType<HostInvocation.Serve>(HostCommandLine.Parse([], Session, EmptyDirectory()));
        Assert.Equal(JsonSerializer.Serialize(defaults.Options), JsonSerializer.Serialize(withFile.Options));
        AssertNamesEvery(file, HostCommandLine.OptionNames);
    }

    [Fact]
    public void The_proxy_file_names_every_setting_and_states_the_defaults()
    {
        string file = Documented("crossdomain-proxy");
        var withFile = Assert.IsType<GuestProxyInvocation.Serve>(GuestProxyCommandLine.Parse([], Session, Beside(file)));
        var defaults = Assert.IsType<GuestProxyInvocation.Serve>(GuestProxyCommandLine.Parse([], Session, EmptyDirectory()));
        Assert.Equal(JsonSerializer.Serialize(defaults.Options), JsonSerializer.Serialize(withFile.Options));
        AssertNamesEvery(file, GuestProxyCommandLine.OptionNames);
    }

    private static string Documented(string program) => Path.Join(AppContext.BaseDirectory, "deploy", "config", $"{program}.appsettings.json");

    /// <summary>A directory holding the file as appsettings.json, as install.sh puts it beside the executable.</summary>
    private static string Beside(string file)
    {
        string directory = EmptyDirectory();
        File.Copy(file, Path.Join(directory, "appsettings.json"));
        return directory;
    }

    private static string EmptyDirectory() => Directory.CreateTempSubdirectory("crossdomain-config-").FullName;

    /// <summary>Each setting's option (--max-contexts) appears in the file's comments, next to its key.</summary>
    private static void AssertNamesEvery(string file, IReadOnlyList<string> options)
    {
        string text = File.ReadAllText(file);
        foreach (string option in options.Except(["--config", "--help", "--version"]))
            Assert.True(text.Contains($"({option})", StringComparison.Ordinal),
                $"{Path.GetFileName(file)} does not document {option}");
    }
}
