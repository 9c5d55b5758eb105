using CrossDomain.Wayland.Protocol;
using T = CrossDomain.Wayland.Protocol.WaylandArgumentType;

namespace CrossDomain.Tests.Wayland;

/// <summary>Hand-written signatures, so the codec is tested independently of the generator.</summary>
internal static class TestSignatures
{
    public static readonly MessageSignature EveryType = new("every_type", 0, 1, false,
    [
        new("i", T.Int), new("u", T.Uint), new("f", T.Fixed), new("s", T.String), new("ns", T.String, Nullable: true),
        new("o", T.Object, Interface: "thing"), new("no", T.Object, Nullable: true, Interface: "thing"),
        new("n", T.NewId, Interface: "thing"), new("a", T.Array), new("fd", T.Fd),
    ]);

    public static readonly MessageSignature Create = new("create", 1, 1, false, [new("id", T.NewId, Interface: "thing")]);

    /// <summary>Shaped like wl_registry.bind: a new_id without an interface.</summary>
    public static readonly MessageSignature UntypedBind = new("bind", 6, 1, false, [new("name", T.Uint), new("id", T.NewId)]);

    public static readonly MessageSignature OneFd = new("one_fd", 2, 1, false, [new("fd", T.Fd), new("size", T.Int)]);

    public static readonly MessageSignature Plain = new("plain", 3, 1, false, [new("value", T.Uint)]);

    public static readonly MessageSignature Text = new("text", 4, 1, false, [new("value", T.String)]);

    public static readonly MessageSignature Blob = new("blob", 5, 1, false, [new("value", T.Array)]);

    public static readonly WaylandInterface Thing = new("thing", 1, [EveryType, Create, OneFd, Plain, Text, Blob, UntypedBind], []);
}
