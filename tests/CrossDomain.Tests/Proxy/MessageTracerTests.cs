using CrossDomain.GuestProxy.Relay;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Proxy;

/// <summary>--trace's lines read as WAYLAND_DEBUG=1's do.</summary>
public sealed class MessageTracerTests
{
    [Fact]
    public void Arguments_are_written_as_libwayland_writes_them()
    {
        var writer = new WireWriter(new byte[128]);
        WlSurface.AttachRequest.Encode(ref writer, 12, 15, -3, 4);
        Assert.Equal("wl_surface#12.attach(wl_buffer#15, -3, 4)",
            MessageTracer.Format(WlSurface.Interface, 12, WlSurface.Interface.GetRequest(WlSurface.Requests.Attach)!, writer.Written[8..]));

        writer = new WireWriter(new byte[128]);
        WlRegistry.BindRequest.Encode(ref writer, 2, 1, "wl_compositor", 4, 5);
        Assert.Equal("wl_registry#2.bind(1, new id wl_compositor#5 (version 4))",
            MessageTracer.Format(WlRegistry.Interface, 2, WlRegistry.Interface.GetRequest(WlRegistry.Requests.Bind)!, writer.Written[8..]));

        writer = new WireWriter(new byte[128]);
        WlSurface.AttachRequest.Encode(ref writer, 12, 0, 0, 0);
        Assert.Equal("wl_surface#12.attach(nil, 0, 0)",
            MessageTracer.Format(WlSurface.Interface, 12, WlSurface.Interface.GetRequest(WlSurface.Requests.Attach)!, writer.Written[8..]));
    }
}
