using System.Text;
using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// One guest virgl context: a virglrenderer (vrend) context under the guest's context id, fed the
/// guest's command stream, with its fences retired through the renderer's poll fd.
/// </summary>
internal sealed unsafe class VirglContext : RendererContext
{
    /// <summary>vrend has one timeline per context: fences on any other ring are refused, as it does.</summary>
    private const byte OnlyRing = 0;

    private readonly VirglRenderer _renderer;
    private readonly ILogger _logger;

    private VirglContext(VirglRenderer renderer, GpuContextSetup setup, ILogger logger)
        : base(renderer, setup)
    {
        _renderer = renderer;
        _logger = logger;
    }

    /// <summary>Makes the renderer's context; the caller has acquired the renderer for it.</summary>
    public static GpuError TryCreate(VirglRenderer renderer, CapsetId capsetId, GpuContextSetup setup, out IGpuContext? context)
    {
        context = null;
        // The renderer's logger serves every device in turn; what this guest causes counts against its own.
        var logger = setup.Logs.Limit(renderer.Logger);
        byte[] name = Encoding.UTF8.GetBytes(setup.DebugName);
        int result;
        fixed (byte* namePointer = name)
            result = VirglNative.CreateContext(setup.ContextId, (uint)capsetId & VirglNative.ContextFlagCapsetIdMask, (uint)name.Length, namePointer);
        if (result != 0)
        {
            VirglLog.CallFailed(logger, "virgl_renderer_context_create_with_flags", result);
            return GpuError.Unspecified;
        }
        context = new VirglContext(renderer, setup, logger);
        return GpuError.None;
    }

    public override void AttachResource(GpuResource resource)
    {
        if (_renderer.KnowsResource(resource.Id)) VirglNative.AttachResourceToContext((int)Id, (int)resource.Id);
    }

    public override void DetachResource(GpuResource resource)
    {
        if (_renderer.KnowsResource(resource.Id)) VirglNative.DetachResourceFromContext((int)Id, (int)resource.Id);
    }

    public override GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob) =>
        VirglBlob.TryCreate(_renderer, Id, request, _logger, out blob);

    public override GpuError CreateFence(byte ringIndex, ulong fenceId)
    {
        if (ringIndex != OnlyRing) return GpuError.InvalidParameter;
        int result = VirglNative.CreateContextFence(Id, 0, ringIndex, fenceId);
        return result == 0 ? GpuError.None : GpuError.Unspecified;
    }

    /// <summary>The stream is 32-bit words; a tail that is not one is malformed.</summary>
    private protected override bool IsWellFormed(ReadOnlySpan<byte> commands) => commands.Length % sizeof(uint) == 0;

    private protected override bool SubmitCopy(byte* commands, int length) =>
        VirglNative.SubmitCommands(commands, (int)Id, length / sizeof(uint)) == 0;

    private protected override void DestroyInLibrary() => VirglNative.DestroyContext(Id);
}
