using CrossDomain.GuestProxy;

namespace CrossDomain.Tests.CommandLine;

public sealed class GuestProxyCommandLineTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private GuestProxyInvocation Parse(Dictionary<string, string> environment, params string[] arguments) =>
        GuestProxyCommandLine.Parse(arguments, environment, _directory.Path);

    private GuestProxyInvocation.Serve Serve(Dictionary<string, string> environment, params string[] arguments) =>
        Assert.IsType<GuestProxyInvocation.Serve>(Parse(environment, arguments));

    private GuestProxyInvocation.RunApp Run(Dictionary<string, string> environment, params string[] arguments) =>
        Assert.IsType<GuestProxyInvocation.RunApp>(Parse(environment, arguments));

    private string Problem(Dictionary<string, string> environment, params string[] arguments) =>
        Assert.IsType<GuestProxyInvocation.Misconfigured>(Parse(environment, arguments)).Problem;

    [Fact]
    public void Defaults_are_the_kernel_transport_on_the_first_render_node()
    {
        GuestProxyInvocation.Serve serve = Serve(TestEnvironment.Session());

        Assert.Equal(GuestProxyTransport.Kernel, serve.Options.Transport);
        Assert.Equal("/dev/dri/renderD128", serve.Options.Device);
        Assert.Equal("/run/user/1000/crossdomain/gpu.sock", serve.Options.HostSocket);
        Assert.Equal("wayland-0", serve.Options.Socket);
        Assert.Equal("/run/user/1000/wayland-0", serve.WaylandSocketPath);
    }

    [Fact]
    public void Environment_overrides_defaults()
    {
        GuestProxyInvocation.Serve serve = Serve(TestEnvironment.Session(
            ("CROSSDOMAIN_TRANSPORT", "local"),
            ("CROSSDOMAIN_HOST_SOCKET", "/srv/gpu.sock"),
            ("CROSSDOMAIN_DEVICE", "/dev/dri/renderD129"),
            ("CROSSDOMAIN_SOCKET", "wayland-5")));

        Assert.Equal(GuestProxyTransport.Local, serve.Options.Transport);
        Assert.Equal("/srv/gpu.sock", serve.Options.HostSocket);
        Assert.Equal("/dev/dri/renderD129", serve.Options.Device);
        Assert.Equal("/run/user/1000/wayland-5", serve.WaylandSocketPath);
    }

    [Fact]
    public void Command_line_overrides_environment_which_overrides_config_file()
    {
        string config = _directory.WriteFile("proxy.json",
            """{ "Proxy": { "Transport": "Local", "Socket": "from-config", "HostSocket": "/from/config.sock" } }""");

        GuestProxyInvocation.Serve serve = Serve(
            TestEnvironment.Session(("CROSSDOMAIN_SOCKET", "from-env"), ("CROSSDOMAIN_HOST_SOCKET", "/from/env.sock")),
            "--config", config, "--host-socket", "/from/argv.sock");

        Assert.Equal(GuestProxyTransport.Local, serve.Options.Transport);
        Assert.Equal("from-env", serve.Options.Socket);
        Assert.Equal("/from/argv.sock", serve.Options.HostSocket);
    }

    [Theory]
    [InlineData("vsock")]
    [InlineData("kernels")]
    [InlineData("")]
    public void Bad_transport_on_the_command_line_is_named(string value)
    {
        Assert.Equal($"invalid value '{value}' for --transport: expected kernel or local",
            Problem(TestEnvironment.Session(), "--transport", value));
    }

    [Fact]
    public void Transport_ignores_case_as_the_binder_does()
    {
        Assert.Equal(GuestProxyTransport.Local, Serve(TestEnvironment.Session(), "--transport", "LOCAL").Options.Transport);
    }

    [Fact]
    public void Bad_transport_from_environment_or_config_file_is_named_with_its_source()
    {
        Assert.Equal("invalid value 'vsock' in CROSSDOMAIN_TRANSPORT: expected kernel or local",
            Problem(TestEnvironment.Session(("CROSSDOMAIN_TRANSPORT", "vsock"))));

        string config = _directory.WriteFile("proxy.json", """{ "Proxy": { "Transport": "vsock" } }""");
        Assert.Equal($"invalid value 'vsock' for Proxy:Transport in config file '{config}': expected kernel or local",
            Problem(TestEnvironment.Session(), "--config", config));
    }

    [Fact]
    public void Local_transport_requires_a_host_socket()
    {
        string problem = Problem(new Dictionary<string, string>(), "--transport", "local");

        Assert.StartsWith("no value for --host-socket (--transport local connects to it): its default "
            + "$XDG_RUNTIME_DIR/crossdomain/gpu.sock is unavailable because XDG_RUNTIME_DIR is not set; "
            + "pass --host-socket PATH, set CROSSDOMAIN_HOST_SOCKET or set Proxy:HostSocket in a config file",
            problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_runtime_directory_kernel_transport_misses_only_the_wayland_socket()
    {
        Assert.Equal("the Wayland socket 'wayland-0' (--socket) goes in $XDG_RUNTIME_DIR, but XDG_RUNTIME_DIR is not set",
            Problem(new Dictionary<string, string>()));
    }

    [Fact]
    public void Socket_is_a_name_not_a_path()
    {
        Assert.Equal("invalid value '../wayland-0' for --socket: must be a name, not a path",
            Problem(TestEnvironment.Session(), "--socket", "../wayland-0"));
    }

    [Fact]
    public void Unknown_option_and_missing_value_are_named()
    {
        Assert.Equal("unknown option '--foo'", Problem(TestEnvironment.Session(), "--foo"));
        Assert.Equal("option --device needs a value (PATH)", Problem(TestEnvironment.Session(), "--device"));
    }

    [Fact]
    public void Run_passes_everything_after_the_separator_verbatim()
    {
        GuestProxyInvocation.RunApp run = Run(TestEnvironment.Session(),
            "run", "--host-socket", "/srv/gpu.sock", "--", "weston-terminal", "--help", "--", "-x", "--socket=y", "");

        Assert.Equal("weston-terminal", run.App);
        Assert.Equal(["--help", "--", "-x", "--socket=y", ""], run.AppArguments);
        Assert.Equal("/srv/gpu.sock", run.Options.HostSocket);
        Assert.Equal(GuestProxyTransport.Local, run.Options.Transport);
    }

    [Fact]
    public void Run_is_local_whatever_the_config_file_says()
    {
        _directory.WriteFile("appsettings.json", """{ "Proxy": { "Transport": "kernel" } }""");

        GuestProxyInvocation.RunApp run = Run(TestEnvironment.Session(), "run", "--", "app");

        Assert.Equal(GuestProxyTransport.Local, run.Options.Transport);
        Assert.Equal("/run/user/1000/crossdomain/gpu.sock", run.Options.HostSocket);
        Assert.Empty(run.AppArguments);
    }

    [Fact]
    public void Run_reads_only_its_own_variables()
    {
        // CROSSDOMAIN_SOCKET may hold crossdomain-host's socket path in the same shell; run has no --socket.
        GuestProxyInvocation.RunApp run = Run(
            TestEnvironment.Session(("CROSSDOMAIN_SOCKET", "/run/user/1000/crossdomain/gpu.sock"), ("CROSSDOMAIN_TRANSPORT", "bogus")),
            "run", "--", "app");

        Assert.Equal("app", run.App);
    }

    [Fact]
    public void Run_without_separator_or_app_is_one_clear_error()
    {
        Assert.Equal("'run' needs '-- APP [ARGS...]'", Problem(TestEnvironment.Session(), "run"));
        Assert.Equal("'run' needs '-- APP [ARGS...]'", Problem(TestEnvironment.Session(), "run", "--host-socket", "/s.sock"));
        Assert.Equal("'run' needs APP after '--'", Problem(TestEnvironment.Session(), "run", "--"));
        Assert.Equal("unexpected argument 'weston-terminal': 'run' takes APP [ARGS...] after '--'",
            Problem(TestEnvironment.Session(), "run", "weston-terminal"));
    }

    [Fact]
    public void Run_rejects_options_of_the_service()
    {
        Assert.Equal("option --transport does not apply to 'run'",
            Problem(TestEnvironment.Session(), "run", "--transport", "local", "--", "app"));
    }

    [Fact]
    public void Run_needs_a_host_socket()
    {
        Assert.StartsWith("no value for --host-socket (run connects to it)",
            Problem(new Dictionary<string, string>(), "run", "--", "app"), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_is_a_subcommand_only_as_the_first_argument()
    {
        Assert.Equal("unexpected argument 'run'", Problem(TestEnvironment.Session(), "--socket", "w", "run", "--", "app"));
    }

    [Fact]
    public void Help_lists_both_commands_and_every_spelling_of_every_option()
    {
        string help = Assert.IsType<GuestProxyInvocation.ShowHelp>(Parse(TestEnvironment.Session(), "run", "--help")).Text;

        foreach (string text in new[]
        {
            "crossdomain-proxy [OPTIONS]", "crossdomain-proxy run [OPTIONS] -- APP [ARGS...]",
            "--transport kernel|local", "CROSSDOMAIN_TRANSPORT", "Proxy:Transport",
            "--device PATH", "CROSSDOMAIN_DEVICE", "Proxy:Device", "/dev/dri/renderD128",
            "--host-socket PATH", "CROSSDOMAIN_HOST_SOCKET", "Proxy:HostSocket", "$XDG_RUNTIME_DIR/crossdomain/gpu.sock",
            "--socket NAME", "CROSSDOMAIN_SOCKET", "Proxy:Socket", "wayland-0",
            "--config FILE", "CROSSDOMAIN_CONFIG",
            "--log-level LEVEL", "CROSSDOMAIN_LOG_LEVEL", "Logging:LogLevel:Default",
            "--help", "--version",
        })
        {
            Assert.Contains(text, help, StringComparison.Ordinal);
        }
    }
}
