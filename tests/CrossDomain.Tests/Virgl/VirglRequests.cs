using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Virgl;

/// <summary>The 3D requests a virgl guest sends, laid out as the Linux driver lays them out.</summary>
internal static class VirglRequests
{
    /// <summary>Gallium's PIPE_TEXTURE_2D.</summary>
    public const uint Texture2D = 2;

    /// <summary>VIRGL_FORMAT_B8G8R8A8_UNORM.</summary>
    public const uint FormatB8G8R8A8 = 1;

    /// <summary>VIRGL_BIND_RENDER_TARGET.</summary>
    public const uint BindRenderTarget = 1 << 1;

    public static byte[] Create3D(uint resourceId, uint width, uint height, uint format = FormatB8G8R8A8,
        uint target = Texture2D, uint lastLevel = 0) =>
        GpuRequests.Encode(new ResourceCreate3DCommand
        {
            Header = GpuRequests.Header(CommandType.ResourceCreate3D),
            ResourceId = resourceId,
            Description = new Resource3DDescription
            {
                Target = target,
                Format = format,
                Bind = BindRenderTarget,
                Width = width,
                Height = height,
                Depth = 1,
                ArraySize = 1,
                LastLevel = lastLevel,
            },
        });

    public static byte[] Transfer(CommandType direction, uint contextId, uint resourceId, Box box, uint stride,
        uint level = 0, ulong offset = 0) =>
        GpuRequests.Encode(new TransferHost3DCommand
        {
            Header = GpuRequests.Header(direction, contextId),
            Box = box,
            Offset = offset,
            ResourceId = resourceId,
            Level = level,
            Stride = stride,
        });

    public static Box Box(uint x, uint y, uint width, uint height) =>
        new() { X = x, Y = y, Z = 0, Width = width, Height = height, Depth = 1 };
}
