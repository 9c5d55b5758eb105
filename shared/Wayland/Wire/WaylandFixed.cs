namespace CrossDomain.Wayland.Wire;

/// <summary>Signed 24.8 fixed point, as <c>wl_fixed_t</c>.</summary>
public readonly record struct WaylandFixed(int Raw)
{
    public static WaylandFixed FromDouble(double value) => new((int)Math.Round(value * 256.0));

    public static WaylandFixed FromInt(int value) => new(value << 8);

    public double ToDouble() => Raw / 256.0;

    public override string ToString() => ToDouble().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
