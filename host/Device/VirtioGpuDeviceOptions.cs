namespace CrossDomain.Host.Device;

/// <summary>Settings of one virtio-gpu device: its limits and the mode its one scanout reports.</summary>
public sealed class VirtioGpuDeviceOptions
{
    /// <summary>
    /// The largest width or height an EDID detailed timing can carry (12 bits); the device describes
    /// its mode only that way.
    /// </summary>
    public const uint MaxDisplayDimension = 4095;

    public DeviceLimits Limits { get; set; } = new();

    public uint DisplayWidth { get; set; } = 1024;

    public uint DisplayHeight { get; set; } = 768;

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Limits, nameof(Limits));
        Limits.Validate();
        RequireDimension(DisplayWidth, nameof(DisplayWidth));
        RequireDimension(DisplayHeight, nameof(DisplayHeight));
    }

    private static void RequireDimension(uint value, string name)
    {
        if (value is 0 or > MaxDisplayDimension)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 1 and {MaxDisplayDimension} pixels.");
    }
}
