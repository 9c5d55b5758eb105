using CrossDomain.GuestProxy.Relay;
using CrossDomain.GuestProxy.Relay.Dmabuf;
using CrossDomain.GuestProxy.Relay.Registry;
using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Tests.Proxy;

/// <summary>
/// The proxy's own linux-dmabuf global next to the compositor's, which the policy hides. Its
/// buffers are tested in a real guest (VirtualMachine/CrossDomainGuestTests), where there is a
/// render node to import from.
/// </summary>
public sealed class DmabufOfferTests
{
    private const uint Registry = 2;
    private const uint HostShmName = 3;

    [Fact]
    public void The_proxy_s_global_binds_up_to_its_version_and_names_the_host_wl_shm_it_is_made_on()
    {
        var registries = new RegistryFilter(new GlobalPolicy());
        registries.RegistryCreated(Registry);
        Assert.True(registries.TryAnnounce(Registry, HostShmName, "wl_shm", 1, out _));
        registries.AnnounceOwn(Registry, DmabufFormats.GlobalName, ZwpLinuxDmabufV1.Interface, DmabufFormats.Version, HostShmName);

        var bound = registries.Bind(Registry, DmabufFormats.GlobalName, "zwp_linux_dmabuf_v1", 4);
        Assert.Same(ZwpLinuxDmabufV1.Interface, bound.Interface);
        Assert.Equal(HostShmName, bound.OwnOnHostGlobal);
        Assert.Null(registries.Bind(Registry, HostShmName, "wl_shm", 1).OwnOnHostGlobal);

        Assert.Throws<ClientProtocolException>(() => registries.Bind(Registry, DmabufFormats.GlobalName, "zwp_linux_dmabuf_v1", 5));
        Assert.Throws<ClientProtocolException>(() => registries.Bind(Registry, DmabufFormats.GlobalName, "wl_shm", 1));
    }

    [Fact]
    public void The_compositor_s_own_linux_dmabuf_stays_hidden()
    {
        var registries = new RegistryFilter(new GlobalPolicy());
        registries.RegistryCreated(Registry);
        Assert.False(registries.TryAnnounce(Registry, 9, "zwp_linux_dmabuf_v1", 4, out _));
        Assert.Throws<ClientProtocolException>(() => registries.Bind(Registry, 9, "zwp_linux_dmabuf_v1", 4));
    }

    [Fact]
    public void The_format_table_is_16_byte_entries_of_fourcc_padding_and_the_implicit_modifier()
    {
        byte[] table = DmabufFormats.FormatTable();
        Assert.Equal(DmabufFormats.Fourccs.Length * 16, table.Length);
        for (int i = 0; i < DmabufFormats.Fourccs.Length; i++)
        {
            Assert.Equal(DmabufFormats.Fourccs[i], BitConverter.ToUInt32(table, i * 16));
            Assert.Equal(0u, BitConverter.ToUInt32(table, i * 16 + 4));
            Assert.Equal(0x00ff_ffff_ffff_ffffUL, BitConverter.ToUInt64(table, i * 16 + 8));
            Assert.NotNull(DmabufFormats.ToShm(DmabufFormats.Fourccs[i]));
        }
        // 'AB24' (ABGR8888) is not in the table, so a buffer of it is refused.
        Assert.Null(DmabufFormats.ToShm(0x34324241));
    }
}
