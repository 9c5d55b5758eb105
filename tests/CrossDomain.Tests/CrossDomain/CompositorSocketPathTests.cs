using CrossDomain.Host.CrossDomain;

namespace CrossDomain.Tests.CrossDomain;

public sealed class CompositorSocketPathTests
{
    [Fact]
    public void A_name_is_looked_up_in_the_runtime_directory()
    {
        Assert.True(CompositorSocketPath.TryResolve("wayland-1", "/run/user/1000", out var path, out _));
        Assert.Equal("/run/user/1000/wayland-1", path);
    }

    [Fact]
    public void An_absolute_path_is_used_as_it_is_without_a_runtime_directory()
    {
        Assert.True(CompositorSocketPath.TryResolve("/tmp/compositor/wayland-0", null, out var path, out _));
        Assert.Equal("/tmp/compositor/wayland-0", path);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_display_means_wayland_0_as_libwayland_has_it(string? display)
    {
        Assert.True(CompositorSocketPath.TryResolve(display, "/run/user/1000", out var path, out _));
        Assert.Equal("/run/user/1000/wayland-0", path);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/runtime")]
    public void A_name_without_an_absolute_runtime_directory_has_no_path(string? runtimeDirectory)
    {
        Assert.False(CompositorSocketPath.TryResolve("wayland-0", runtimeDirectory, out var path, out var problem));
        Assert.Null(path);
        Assert.Contains("XDG_RUNTIME_DIR", problem);
    }

    [Fact]
    public void A_path_longer_than_a_socket_address_holds_is_refused()
    {
        string longName = new('w', CompositorSocketPath.MaxPathBytes);
        Assert.False(CompositorSocketPath.TryResolve(longName, "/run/user/1000", out _, out var problem));
        Assert.Contains("longer", problem);
        Assert.True(CompositorSocketPath.TryResolve("/" + new string('w', CompositorSocketPath.MaxPathBytes - 1), null, out _, out _));
    }

    [Fact]
    public void A_display_with_a_nul_character_is_refused()
    {
        Assert.False(CompositorSocketPath.TryResolve("wayland\0-0", "/run/user/1000", out _, out var problem));
        Assert.Contains("NUL", problem);
    }
}
