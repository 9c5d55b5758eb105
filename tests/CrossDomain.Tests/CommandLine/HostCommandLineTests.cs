using CrossDomain.Host;
using CrossDomain.Wayland.Policy;

namespace CrossDomain.Tests.CommandLine;

public sealed class HostCommandLineTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private HostInvocation Parse(Dictionary<string, string> environment, params string[] arguments) =>
        HostCommandLine.Parse(arguments, environment, _directory.Path);

    private HostServiceOptions Serve(Dictionary<string, string> environment, params string[] arguments)
    {
        HostInvocation invocation = Parse(environment, arguments);
        return Assert.IsType<HostInvocation.Serve>(invocation).Options;
    }

    private string Problem(Dictionary<string, string> environment, params string[] arguments)
    {
        HostInvocation invocation = Parse(environment, arguments);
        return Assert.IsType<HostInvocation.Misconfigured>(invocation).Problem;
    }

    [Fact]
    public void Defaults_come_from_the_runtime_directory_and_wayland_display()
    {
        HostServiceOptions options = Serve(TestEnvironment.Session(("WAYLAND_DISPLAY", "wayland-1")));

        Assert.Equal("/run/user/1000/crossdomain/gpu.sock", options.Socket);
        Assert.Equal("wayland-1", options.WaylandDisplay);
    }

    [Fact]
    public void Wayland_display_falls_back_to_wayland_0_when_unset_or_empty()
    {
        Assert.Equal("wayland-0", Serve(TestEnvironment.Session()).WaylandDisplay);
        Assert.Equal("wayland-0", Serve(TestEnvironment.Session(("WAYLAND_DISPLAY", ""))).WaylandDisplay);
    }

    [Fact]
    public void Device_limits_and_capsets_have_defaults_and_come_from_every_layer()
    {
        HostServiceOptions defaults = Serve(TestEnvironment.Session());
        Assert.True(defaults.Offers(HostServiceOptions.CrossDomainCapset));
        // Every known type by default; the 3D ones are then offered where their renderer loads.
        Assert.True(defaults.Offers(HostServiceOptions.VirglCapset));
        Assert.True(defaults.Offers(HostServiceOptions.GfxstreamGlesCapset));
        Assert.Equal(64, defaults.ToDeviceOptions().Limits.MaxContexts);

        HostServiceOptions tuned = Serve(TestEnvironment.Session(("CROSSDOMAIN_MAX_CONTEXTS", "8")),
            "--max-host-memory-mib", "256", "--max-pending-fences", "100", "--max-host-fds", "512");
        var limits = tuned.ToDeviceOptions().Limits;
        Assert.Equal(512, limits.MaxHostFds);
        Assert.Equal(4096, defaults.ToDeviceOptions().Limits.MaxHostFds);
        Assert.Equal(8, limits.MaxContexts);
        Assert.Equal(256L << 20, limits.MaxHostMemoryBytes);
        Assert.Equal(100, limits.MaxPendingFences);
        Assert.Equal(16384, limits.MaxResources);
    }

    [Theory]
    [InlineData("--max-contexts", "0", "invalid value '0' for --max-contexts: expected a whole number from 1 to 1024")]
    [InlineData("--max-resources", "lots", "invalid value 'lots' for --max-resources: expected a whole number from 1 to 1048576")]
    [InlineData("--capsets", "cross-domain,venus", "invalid value 'cross-domain,venus' for --capsets: 'venus' is not one of cross-domain, virgl, virgl2, gfxstream-vulkan or gfxstream-gles")]
    public void A_bad_limit_or_capset_is_named(string option, string value, string problem)
    {
        Assert.Equal(problem, Problem(TestEnvironment.Session(), option, value));
    }

    [Fact]
    public void The_firewall_is_on_by_default_with_the_bridges_allowlist_and_every_setting_comes_through()
    {
        var defaults = Serve(TestEnvironment.Session()).ToFirewallOptions();
        Assert.True(defaults.Enabled);
        Assert.Equal("guest", defaults.VmName);
        Assert.Equal(DefaultGlobals.AllowList, defaults.Globals);
        Assert.Equal("[{vm}] {title}", defaults.TitleFormat);
        Assert.Equal("{vm}.{app_id}", defaults.AppIdFormat);
        Assert.Equal(100_000, defaults.MaxTrackedObjects);

        var tuned = Serve(TestEnvironment.Session(("CROSSDOMAIN_VM_NAME", "work")),
            "--wayland-firewall", "false", "--globals", "wl_compositor:4, xdg_wm_base:2", "--title-format", "{title} ({vm})",
            "--app-id-format", "{app_id}", "--max-tracked-objects", "50").ToFirewallOptions();
        Assert.False(tuned.Enabled);
        Assert.Equal("work", tuned.VmName);
        Assert.Equal(new Dictionary<string, uint> { ["wl_compositor"] = 4, ["xdg_wm_base"] = 2 }, tuned.Globals);
        Assert.Equal("{title} ({vm})", tuned.TitleFormat);
        Assert.Equal("{app_id}", tuned.AppIdFormat);
        Assert.Equal(50, tuned.MaxTrackedObjects);
    }

    [Fact]
    public void The_firewall_limits_have_their_defaults_and_come_from_a_config_file_the_environment_and_the_command_line()
    {
        var defaults = Serve(TestEnvironment.Session()).ToFirewallOptions();
        Assert.Equal((1024, 512, 16384, 16384, 200_000, 100_000, 128, 1024, 256),
            (defaults.MaxSurfaces, defaults.MaxShmPoolMib, defaults.MaxBufferSize, defaults.MaxSurfaceSize, defaults.MaxRequestsPerSecond,
                defaults.MaxRequestBurst, defaults.MaxMimeTypes, defaults.MaxMimeTypeLength, defaults.MaxTransferMib));

        string config = _directory.WriteFile("limits.json", """{ "Host": { "MaxSurfaces": 10, "MaxShmPoolMib": 20, "MaxTransferMib": 8 } }""");
        var tuned = Serve(TestEnvironment.Session(("CROSSDOMAIN_MAX_MIME_TYPES", "9"), ("CROSSDOMAIN_MAX_BUFFER_SIZE", "4096")),
            "--config", config, "--max-surface-size", "2048", "--max-requests-per-second", "500", "--max-request-burst", "50",
            "--max-mime-type-length", "64").ToFirewallOptions();
        Assert.Equal((10, 20, 4096, 2048, 500, 50, 9, 64, 8),
            (tuned.MaxSurfaces, tuned.MaxShmPoolMib, tuned.MaxBufferSize, tuned.MaxSurfaceSize, tuned.MaxRequestsPerSecond,
                tuned.MaxRequestBurst, tuned.MaxMimeTypes, tuned.MaxMimeTypeLength, tuned.MaxTransferMib));
        Assert.Equal("invalid value '2048' for --max-shm-pool-mib: expected a whole number from 1 to 2047", Problem(TestEnvironment.Session(), "--max-shm-pool-mib", "2048"));
    }

    [Theory]
    [InlineData("--globals", "", "invalid value '' for --globals: the list is empty: no client could do anything")]
    [InlineData("--globals", "wl_compositor:0", "invalid value 'wl_compositor:0' for --globals: 'wl_compositor:0' is not interface:version (a version of at least 1)")]
    [InlineData("--globals", "Weston Screenshooter:1", "invalid value 'Weston Screenshooter:1' for --globals: 'Weston Screenshooter' is not an interface name (lower-case letters, digits and '_')")]
    [InlineData("--wayland-firewall", "off", "invalid value 'off' for --wayland-firewall: expected true or false")]
    public void A_bad_firewall_setting_is_named(string option, string value, string problem)
    {
        Assert.Equal(problem, Problem(TestEnvironment.Session(), option, value));
    }

    [Fact]
    public void Default_log_level_is_information()
    {
        HostInvocation.Serve serve = Assert.IsType<HostInvocation.Serve>(Parse(TestEnvironment.Session()));

        Assert.Equal("Information", serve.Configuration["Logging:LogLevel:Default"]);
    }

    [Fact]
    public void Environment_overrides_defaults()
    {
        HostInvocation.Serve serve = Assert.IsType<HostInvocation.Serve>(Parse(TestEnvironment.Session(
            ("CROSSDOMAIN_SOCKET", "/srv/vm1.sock"),
            ("CROSSDOMAIN_WAYLAND_DISPLAY", "/run/compositor.sock"),
            ("CROSSDOMAIN_LOG_LEVEL", "Debug"))));

        Assert.Equal("/srv/vm1.sock", serve.Options.Socket);
        Assert.Equal("/run/compositor.sock", serve.Options.WaylandDisplay);
        Assert.Equal("Debug", serve.Configuration["Logging:LogLevel:Default"]);
    }

    [Fact]
    public void An_empty_environment_variable_counts_as_unset()
    {
        HostServiceOptions options = Serve(TestEnvironment.Session(("CROSSDOMAIN_SOCKET", "")));

        Assert.Equal("/run/user/1000/crossdomain/gpu.sock", options.Socket);
    }

    [Fact]
    public void Command_line_overrides_environment()
    {
        HostServiceOptions options = Serve(
            TestEnvironment.Session(("CROSSDOMAIN_SOCKET", "/from/env.sock")),
            "--socket", "/from/argv.sock");

        Assert.Equal("/from/argv.sock", options.Socket);
    }

    [Fact]
    public void Equals_form_and_repeated_options_last_one_counts()
    {
        HostServiceOptions options = Serve(TestEnvironment.Session(), "--socket=/first.sock", "--socket", "/second.sock");

        Assert.Equal("/second.sock", options.Socket);
    }

    [Fact]
    public void Appsettings_beside_the_executable_overrides_defaults()
    {
        _directory.WriteFile("appsettings.json", """{ "Host": { "Socket": "/from/appsettings.sock" } }""");

        Assert.Equal("/from/appsettings.sock", Serve(TestEnvironment.Session()).Socket);
    }

    [Fact]
    public void Config_file_overrides_appsettings_and_environment_overrides_config_file()
    {
        _directory.WriteFile("appsettings.json",
            """{ "Host": { "Socket": "/from/appsettings.sock", "WaylandDisplay": "from-appsettings" } }""");
        string config = _directory.WriteFile("extra.json",
            """{ "Host": { "Socket": "/from/config.sock", "WaylandDisplay": "from-config" } }""");

        HostServiceOptions options = Serve(
            TestEnvironment.Session(("CROSSDOMAIN_WAYLAND_DISPLAY", "from-env")),
            "--config", config);

        Assert.Equal("/from/config.sock", options.Socket);
        Assert.Equal("from-env", options.WaylandDisplay);
    }

    [Fact]
    public void Config_file_can_be_named_by_the_environment()
    {
        string config = _directory.WriteFile("extra.json", """{ "Host": { "Socket": "/from/config.sock" } }""");

        Assert.Equal("/from/config.sock", Serve(TestEnvironment.Session(("CROSSDOMAIN_CONFIG", config))).Socket);
    }

    [Fact]
    public void Config_file_sets_the_log_level_through_the_logging_key()
    {
        string config = _directory.WriteFile("extra.json", """{ "Logging": { "LogLevel": { "Default": "Warning" } } }""");

        HostInvocation invocation = Parse(TestEnvironment.Session(), "--config", config);

        Assert.Equal("Warning", Assert.IsType<HostInvocation.Serve>(invocation).Configuration["Logging:LogLevel:Default"]);
    }

    [Fact]
    public void Unknown_option_is_named()
    {
        Assert.Equal("unknown option '--foo'", Problem(TestEnvironment.Session(), "--foo"));
        Assert.Equal("unknown option '-h'", Problem(TestEnvironment.Session(), "-h"));
    }

    [Fact]
    public void Missing_value_is_named_at_the_end_and_before_another_option()
    {
        Assert.Equal("option --socket needs a value (PATH)", Problem(TestEnvironment.Session(), "--socket"));
        Assert.Equal("option --socket needs a value (PATH)",
            Problem(TestEnvironment.Session(), "--socket", "--log-level", "Debug"));
    }

    [Fact]
    public void Invalid_values_name_where_they_came_from()
    {
        Assert.Equal("invalid value 'loud' for --log-level: expected Trace, Debug, Information, Warning, Error, Critical or None",
            Problem(TestEnvironment.Session(), "--log-level", "loud"));
        Assert.Equal("invalid value 'loud' in CROSSDOMAIN_LOG_LEVEL: expected Trace, Debug, Information, Warning, Error, Critical or None",
            Problem(TestEnvironment.Session(("CROSSDOMAIN_LOG_LEVEL", "loud"))));
        Assert.Equal("invalid value '' for --socket: must not be empty", Problem(TestEnvironment.Session(), "--socket="));
    }

    [Fact]
    public void Socket_path_longer_than_sun_path_is_rejected()
    {
        string longPath = "/" + new string('s', 107);

        Assert.Equal($"invalid value '{longPath}' for --socket: is 108 bytes long; a Unix socket path holds at most 107",
            Problem(TestEnvironment.Session(), "--socket", longPath));
    }

    [Fact]
    public void Flags_take_no_value_and_positional_arguments_are_rejected()
    {
        Assert.Equal("option --help takes no value", Problem(TestEnvironment.Session(), "--help=yes"));
        Assert.Equal("unexpected argument 'serve'", Problem(TestEnvironment.Session(), "serve"));
    }

    [Fact]
    public void Control_characters_in_an_unknown_option_stay_on_one_line()
    {
        string problem = Problem(TestEnvironment.Session(), "--foo\nbar");

        Assert.Equal("unknown option '--foo\\nbar'", problem);
    }

    [Fact]
    public void Socket_without_runtime_directory_says_how_to_set_it()
    {
        string problem = Problem(new Dictionary<string, string>());

        Assert.Equal(
            "no value for --socket: its default $XDG_RUNTIME_DIR/crossdomain/gpu.sock is unavailable because "
            + "XDG_RUNTIME_DIR is not set; pass --socket PATH, set CROSSDOMAIN_SOCKET or set Host:Socket in a config file",
            problem);
    }

    [Fact]
    public void Socket_given_explicitly_needs_no_runtime_directory()
    {
        HostInvocation invocation = Parse(new Dictionary<string, string>(), "--socket", "/srv/vm.sock");

        Assert.Equal("/srv/vm.sock", Assert.IsType<HostInvocation.Serve>(invocation).Options.Socket);
    }

    [Fact]
    public void Relative_runtime_directory_is_not_used()
    {
        string problem = Problem(new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = "run/user" });

        Assert.Contains("because XDG_RUNTIME_DIR 'run/user' is not an absolute path", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_file_problems_name_the_file()
    {
        string missing = Path.Join(_directory.Path, "missing.json");
        Assert.Equal($"config file '{missing}' (from --config) does not exist",
            Problem(TestEnvironment.Session(), "--config", missing));
        Assert.Equal($"config file '{_directory.Path}' (from CROSSDOMAIN_CONFIG) is a directory",
            Problem(TestEnvironment.Session(("CROSSDOMAIN_CONFIG", _directory.Path))));

        string broken = _directory.WriteFile("broken.json", "{ \"Host\": ");
        Assert.StartsWith($"config file '{broken}' (from --config) cannot be parsed: ",
            Problem(TestEnvironment.Session(), "--config", broken), StringComparison.Ordinal);
    }

    [Fact]
    public void Our_section_must_be_an_object()
    {
        string config = _directory.WriteFile("extra.json", """{ "Host": "/vm.sock" }""");

        Assert.Equal($"setting 'Host' in config file '{config}' must be a JSON object of settings",
            Problem(TestEnvironment.Session(), "--config", config));
    }

    [Fact]
    public void Unknown_key_in_our_section_is_reported_but_other_sections_are_left_alone()
    {
        string config = _directory.WriteFile("extra.json",
            """{ "Host": { "Sockett": "/typo.sock" }, "Proxy": { "Transport": "local" }, "Elsewhere": { "X": 1 } }""");

        Assert.Equal($"unknown setting 'Host:Sockett' in config file '{config}'",
            Problem(TestEnvironment.Session(), "--config", config));
    }

    [Fact]
    public void Invalid_value_in_a_config_file_names_key_and_file()
    {
        string appsettings = _directory.WriteFile("appsettings.json", """{ "Host": { "Socket": "" } }""");

        Assert.Equal($"invalid value '' for Host:Socket in config file '{appsettings}': must not be empty",
            Problem(TestEnvironment.Session()));
    }

    [Fact]
    public void Help_and_version_win_over_broken_settings()
    {
        _directory.WriteFile("appsettings.json", "not json");

        Assert.IsType<HostInvocation.ShowHelp>(Parse(new Dictionary<string, string>(), "--help"));
        HostInvocation.ShowVersion version = Assert.IsType<HostInvocation.ShowVersion>(
            Parse(new Dictionary<string, string>(), "--socket", "/x.sock", "--version"));
        Assert.StartsWith("crossdomain-host ", version.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_spelling_of_every_option()
    {
        string help = Assert.IsType<HostInvocation.ShowHelp>(Parse(TestEnvironment.Session(), "--help")).Text;

        foreach (string text in new[]
        {
            "--socket PATH", "CROSSDOMAIN_SOCKET", "Host:Socket", "$XDG_RUNTIME_DIR/crossdomain/gpu.sock",
            "--wayland-display NAME|PATH", "CROSSDOMAIN_WAYLAND_DISPLAY", "Host:WaylandDisplay", "$WAYLAND_DISPLAY, else wayland-0",
            "--config FILE", "CROSSDOMAIN_CONFIG",
            "--log-level LEVEL", "CROSSDOMAIN_LOG_LEVEL", "Logging:LogLevel:Default",
            "--help", "--version", Path.Join(_directory.Path, "appsettings.json"),
        })
        {
            Assert.Contains(text, help, StringComparison.Ordinal);
        }
    }
}
