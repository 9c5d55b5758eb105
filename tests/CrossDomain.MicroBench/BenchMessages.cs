using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.MicroBench;

/// <summary>
/// The messages of a client's steady state that the benchmarks put through each layer, encoded
/// once before the measuring starts: a sync round trip and a region made, shaped and destroyed
/// (what the bridge's allocation tests relay too).
/// </summary>
internal static class BenchMessages
{
    public delegate void MessageEncoder(ref WireWriter writer);

    public static byte[] Encode(MessageEncoder encode)
    {
        var writer = new WireWriter(new byte[4096]);
        encode(ref writer);
        return writer.Written.ToArray();
    }

    public static byte[] Sync(uint callbackId) =>
        Encode((ref WireWriter writer) => WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, callbackId));

    /// <summary>What the compositor answers a sync with.</summary>
    public static byte[] CallbackDoneAndDeleteId(uint callbackId) => Encode((ref WireWriter writer) =>
    {
        WlCallback.DoneEvent.Encode(ref writer, callbackId, 7);
        WlDisplay.DeleteIdEvent.Encode(ref writer, WaylandObjectMap.DisplayId, callbackId);
    });

    public static byte[] RegionCreateAddDestroy(uint compositorId, uint regionId) =>
        Encode((ref WireWriter writer) => RegionCreateAddDestroy(ref writer, compositorId, regionId));

    /// <summary>wl_region has no typed struct (the bridge does not act on it): written argument by argument.</summary>
    public static void RegionCreateAddDestroy(ref WireWriter writer, uint compositorId, uint regionId)
    {
        writer.Begin(compositorId, WlCompositor.Requests.CreateRegion);
        writer.WriteNewId(regionId);
        writer.End();
        writer.Begin(regionId, WlRegion.Requests.Add);
        writer.WriteInt(0);
        writer.WriteInt(0);
        writer.WriteInt(64);
        writer.WriteInt(64);
        writer.End();
        writer.Begin(regionId, WlRegion.Requests.Destroy);
        writer.End();
    }
}
