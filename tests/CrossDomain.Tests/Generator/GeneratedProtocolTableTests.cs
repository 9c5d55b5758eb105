using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Tests.Generator;

/// <summary>The tables CrossDomain.Wayland was built with, from the system's protocol XML.</summary>
public class GeneratedProtocolTableTests
{
    [Fact]
    public void CoreOpcodes_FollowXmlOrder()
    {
        Assert.Equal(0, WlDisplay.Requests.Sync);
        Assert.Equal(1, WlDisplay.Requests.GetRegistry);
        Assert.Equal(0, WlDisplay.Events.Error);
        Assert.Equal(1, WlDisplay.Events.DeleteId);
        Assert.Equal(0, WlRegistry.Requests.Bind);
        Assert.Equal(1, WlRegistry.Events.GlobalRemove);
        Assert.Equal(0, WlCallback.Events.Done);
    }

    [Fact]
    public void InterfaceNames_AreThePascalCaseOfTheWireNames()
    {
        Assert.Equal("wl_display", WlDisplay.Name);
        Assert.Equal("zwp_linux_dmabuf_v1", ZwpLinuxDmabufV1.Name);
        Assert.Equal("xdg_wm_base", XdgWmBase.Name);
        Assert.Same(WlDisplay.Interface, WaylandProtocols.Find(WlDisplay.Name));
    }

    [Fact]
    public void RegistryBind_IsNameThenUntypedNewId()
    {
        var bind = WlRegistry.Interface.GetRequest(WlRegistry.Requests.Bind);

        Assert.NotNull(bind);
        Assert.Equal("bind", bind.Name);
        Assert.Collection(
            bind.Arguments,
            name => Assert.Equal(new ArgumentSignature("name", WaylandArgumentType.Uint), name),
            id =>
            {
                Assert.Equal(WaylandArgumentType.NewId, id.Type);
                Assert.True(id.IsUntypedNewId);
            });
        Assert.Equal(1, bind.NewIdCount);
    }

    [Fact]
    public void ShmCreatePool_CarriesOneFd()
    {
        var createPool = WlShm.Interface.GetRequest(WlShm.Requests.CreatePool);

        Assert.NotNull(createPool);
        Assert.Equal(1, createPool.FdCount);
        Assert.Equal(new ArgumentSignature("id", WaylandArgumentType.NewId, Interface: "wl_shm_pool"), createPool.Arguments[0]);
    }

    [Fact]
    public void MessageAttributes_ComeFromTheXml()
    {
        var surfaceDestroy = WlSurface.Interface.GetRequest(WlSurface.Requests.Destroy);
        var damageBuffer = WlSurface.Interface.GetRequest(WlSurface.Requests.DamageBuffer);
        var attach = WlSurface.Interface.GetRequest(WlSurface.Requests.Attach);

        Assert.True(surfaceDestroy!.IsDestructor);
        Assert.Equal(1, surfaceDestroy.Since);
        Assert.False(damageBuffer!.IsDestructor);
        Assert.Equal(4, damageBuffer.Since);
        Assert.True(attach!.Arguments[0].Nullable);
        Assert.Equal("wl_buffer", attach.Arguments[0].Interface);
        Assert.True(WlCallback.Interface.GetEvent(WlCallback.Events.Done)!.IsDestructor);
    }

    [Fact]
    public void XdgToplevel_HasTheVersionOfWaylandProtocols131()
    {
        var toplevel = WaylandProtocols.Find("xdg_toplevel");

        Assert.NotNull(toplevel);
        Assert.Same(XdgToplevel.Interface, toplevel);
        // Debian bookworm's wayland-protocols 1.31 declares xdg_toplevel version 5.
        Assert.Equal(5, toplevel.Version);
        Assert.Equal(5, XdgToplevel.Version);
    }

    [Fact]
    public void Registry_ListsEveryInterfaceOnceAndFindsEachByName()
    {
        Assert.Equal(WaylandProtocols.All.Count, WaylandProtocols.All.Select(wlInterface => wlInterface.Name).Distinct().Count());
        Assert.All(WaylandProtocols.All, wlInterface => Assert.Same(wlInterface, WaylandProtocols.Find(wlInterface.Name)));
        Assert.Contains(WaylandProtocols.All, wlInterface => wlInterface.Name == "zwp_linux_dmabuf_feedback_v1");
        Assert.Null(WaylandProtocols.Find("wl_no_such_interface"));
    }

    [Fact]
    public void OpcodeTables_AreIndexedByOpcode()
    {
        foreach (var wlInterface in WaylandProtocols.All)
        {
            for (int opcode = 0; opcode < wlInterface.Requests.Length; opcode++)
                Assert.Equal(opcode, wlInterface.Requests[opcode].Opcode);
            for (int opcode = 0; opcode < wlInterface.Events.Length; opcode++)
                Assert.Equal(opcode, wlInterface.Events[opcode].Opcode);
        }
    }

    [Fact]
    public void InterfaceIds_NumberAllInOrder()
    {
        for (int i = 0; i < WaylandProtocols.All.Count; i++) Assert.Equal((WaylandInterfaceId)i, WaylandProtocols.All[i].Id);
        Assert.Equal(WaylandInterfaceId.WlShmPool, WlShmPool.Interface.Id);
    }

    [Fact]
    public void NamedInterfaceArguments_AreResolvedReferences_EvenInCycles()
    {
        var createPool = WlShm.Interface.GetRequest(WlShm.Requests.CreatePool)!;
        Assert.Same(WlShmPool.Interface, createPool.Arguments[0].ResolvedInterface);
        // xdg_toplevel.set_parent names xdg_toplevel itself.
        var setParent = XdgToplevel.Interface.GetRequest(XdgToplevel.Requests.SetParent)!;
        Assert.Same(XdgToplevel.Interface, setParent.Arguments[0].ResolvedInterface);
        Assert.Null(WlRegistry.Interface.GetRequest(WlRegistry.Requests.Bind)!.Arguments[1].ResolvedInterface);
    }
}
