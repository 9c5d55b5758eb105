using System.Text;
using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

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

    private VirglContext(VirglRenderer renderer, GpuContextSetup setup)
        : base(renderer, setup)
    {
        _renderer = renderer;
    }

    /// <summary>Makes the renderer's context; the caller has acquired the renderer for it.</summary>
    public static GpuError TryCreate(VirglRenderer renderer, CapsetId capsetId, GpuContextSetup setup, out IGpuContext? context)
    {
        context = null;
        byte[] name = Encoding.UTF8.GetBytes(setup.DebugName);
        int result;
        fixed (byte* namePointer = name)
            result = VirglNative.CreateContext(setup.ContextId, (uint)capsetId & VirglNative.ContextFlagCapsetIdMask, (uint)name.Length, namePointer);
        if (result != 0)
            return RendererRefusals.Refuse(setup.Logs.Limit(renderer.Logger), renderer.Name, setup.ContextId, RendererRefusal.ContextCreateFailed, result);
        context = new VirglContext(renderer, setup);
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

    public override GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob)
    {
        var refusal = VirglBlob.TryCreate(_renderer, Id, request, out blob, out int result);
        return refusal == RendererRefusal.None ? GpuError.None : Refuse(refusal, result);
    }

    public override GpuError CreateFence(byte ringIndex, ulong fenceId)
    {
        if (ringIndex != OnlyRing) return Refuse(RendererRefusal.FenceOnUnknownRing);
        int result = VirglNative.CreateContextFence(Id, 0, ringIndex, fenceId);
        return result == 0 ? GpuError.None : Refuse(RendererRefusal.FenceCreateFailed, result);
    }

    /// <summary>The stream is 32-bit words; a tail that is not one is malformed.</summary>
    private protected override bool IsWellFormed(ReadOnlySpan<byte> commands) => commands.Length % sizeof(uint) == 0;

    private protected override bool SubmitCopy(byte* commands, int length, out int result)
    {
        result = VirglNative.SubmitCommands(commands, (int)Id, length / sizeof(uint));
        return result == 0;
    }

    private protected override void DestroyInLibrary() => VirglNative.DestroyContext(Id);
}
