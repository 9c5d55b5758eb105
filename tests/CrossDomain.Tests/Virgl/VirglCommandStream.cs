namespace CrossDomain.Tests.Virgl;

/// <summary>
/// Builds a virgl (vrend) command stream as Mesa's virgl driver would send it in SUBMIT_3D: each
/// command a header word (command, object type, payload length in words) and its payload, encoded
/// from virglrenderer's virgl_protocol.h. Only the few commands the tests draw with.
/// </summary>
internal sealed class VirglCommandStream
{
    private const uint CreateObject = 1;
    private const uint SetFramebufferState = 5;
    private const uint Clear = 7;

    private const uint ObjectSurface = 8;

    /// <summary>Gallium's PIPE_CLEAR_COLOR0.</summary>
    public const uint ClearColor0 = 1 << 2;

    private readonly List<uint> _words = [];

    /// <summary>A surface (render-target view) of mip level 0, layer 0 of a texture resource.</summary>
    public VirglCommandStream CreateSurface(uint handle, uint resourceId, uint format)
    {
        Command(CreateObject, ObjectSurface, handle, resourceId, format, 0, 0);
        return this;
    }

    public VirglCommandStream SetFramebuffer(uint colorSurfaceHandle)
    {
        // One colour buffer, no depth/stencil surface (handle 0).
        Command(SetFramebufferState, 0, 1, 0, colorSurfaceHandle);
        return this;
    }

    public VirglCommandStream ClearColor(float red, float green, float blue, float alpha)
    {
        // Depth is a double in two words, then the stencil value; both unused for a colour clear.
        Command(Clear, 0, ClearColor0, Bits(red), Bits(green), Bits(blue), Bits(alpha), 0, 0, 0);
        return this;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[_words.Count * sizeof(uint)];
        for (int i = 0; i < _words.Count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * sizeof(uint)), _words[i]);
        return bytes;
    }

    private void Command(uint command, uint objectType, params uint[] payload)
    {
        _words.Add(command | objectType << 8 | (uint)payload.Length << 16);
        _words.AddRange(payload);
    }

    private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);
}
