using System.Text;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Virgl;

/// <summary>
/// One guest virgl context: a virglrenderer (vrend) context under the guest's context id, fed the
/// guest's command stream, with its fences retired through the renderer's poll fd.
/// </summary>
internal sealed unsafe class VirglContext : IGpuContext
{
    /// <summary>vrend has one timeline per context: fences on any other ring are refused, as it does.</summary>
    private const byte OnlyRing = 0;

    private readonly VirglRenderer _renderer;
    private readonly uint _id;
    private readonly SubmissionCopy _commandCopy;
    private readonly ILogger _logger;
    private bool _disposed;

    private VirglContext(VirglRenderer renderer, uint id, HostMemoryBudget memory, ILogger logger)
    {
        _renderer = renderer;
        _id = id;
        _commandCopy = new SubmissionCopy(memory);
        _logger = logger;
    }

    /// <summary>Makes the renderer's context; the caller has acquired the renderer for it.</summary>
    public static GpuError TryCreate(VirglRenderer renderer, CapsetId capsetId, GpuContextSetup setup, out VirglContext? context)
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
        renderer.RegisterContext(setup.ContextId, setup.Fences);
        context = new VirglContext(renderer, setup.ContextId, setup.Memory, logger);
        return GpuError.None;
    }

    public GpuError Submit(ReadOnlySpan<byte> commands)
    {
        // The stream is 32-bit words; a tail that is not one is malformed.
        if (commands.Length % sizeof(uint) != 0) return GpuError.InvalidParameter;
        if (commands.IsEmpty) return GpuError.None;
        if (_commandCopy.TryCopy(commands) is not { } commandCopy) return GpuError.OutOfMemory;
        int result;
        fixed (byte* copy = commandCopy)
            result = VirglNative.SubmitCommands(copy, (int)_id, commands.Length / sizeof(uint));
        return result == 0 ? GpuError.None : GpuError.InvalidParameter;
    }

    public void AttachResource(GpuResource resource)
    {
        if (_renderer.KnowsResource(resource.Id)) VirglNative.AttachResourceToContext((int)_id, (int)resource.Id);
    }

    public void DetachResource(GpuResource resource)
    {
        if (_renderer.KnowsResource(resource.Id)) VirglNative.DetachResourceFromContext((int)_id, (int)resource.Id);
    }

    public GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob) =>
        VirglBlob.TryCreate(_renderer, _id, request, _logger, out blob);

    public GpuError CreateFence(byte ringIndex, ulong fenceId)
    {
        if (ringIndex != OnlyRing) return GpuError.InvalidParameter;
        int result = VirglNative.CreateContextFence(_id, 0, ringIndex, fenceId);
        return result == 0 ? GpuError.None : GpuError.Unspecified;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _renderer.UnregisterContext(_id);
        VirglNative.DestroyContext(_id);
        _commandCopy.Dispose();
        _renderer.Release();
    }
}
