using CrossDomain.Host.Device;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers;

/// <summary>
/// One guest context of a renderer library: what virgl and gfxstream contexts share. It holds the
/// library from creation (the context type acquired it) until it is disposed, has the library
/// signal its fences to the device, hands the library a private copy of each command stream, and
/// logs its refusals (<see cref="RendererRefusal"/>).
/// </summary>
internal abstract unsafe class RendererContext : IGpuContext
{
    private readonly RendererLibrary _library;
    private readonly SubmissionCopy _commandCopy;
    private bool _disposed;

    /// <summary>Call once the library has made its context under <see cref="GpuContextSetup.ContextId"/>.</summary>
    private protected RendererContext(RendererLibrary library, GpuContextSetup setup)
    {
        _library = library;
        Id = setup.ContextId;
        // The library's logger serves every device in turn; what this guest causes counts against its own.
        Logger = setup.Logs.Limit(library.Logger);
        _commandCopy = new SubmissionCopy(setup.Memory);
        library.RegisterContext(Id, setup.Fences);
    }

    /// <summary>The guest's context id, which is the library's too.</summary>
    protected uint Id { get; }

    private protected ILogger Logger { get; }

    public GpuError Submit(ReadOnlySpan<byte> commands)
    {
        if (!IsWellFormed(commands)) return Refuse(RendererRefusal.MalformedSubmission);
        if (commands.IsEmpty) return GpuError.None;
        if (_commandCopy.TryCopy(commands) is not { } commandCopy) return Refuse(RendererRefusal.HostMemoryExhausted);
        fixed (byte* copy = commandCopy)
            return SubmitCopy(copy, commands.Length, out int result) ? GpuError.None : Refuse(RendererRefusal.SubmissionRejected, result);
    }

    public abstract void AttachResource(GpuResource resource);

    public abstract void DetachResource(GpuResource resource);

    public abstract GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob);

    public abstract GpuError CreateFence(byte ringIndex, ulong fenceId);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _library.UnregisterContext(Id);
        DestroyInLibrary();
        _commandCopy.Dispose();
        _library.Release();
    }

    /// <summary>Whether the stream's framing is one the library takes; an empty stream is.</summary>
    private protected virtual bool IsWellFormed(ReadOnlySpan<byte> commands) => true;

    private protected GpuError Refuse(RendererRefusal refusal, int result = 0) =>
        RendererRefusals.Refuse(Logger, _library.Name, Id, refusal, result);

    /// <summary>Hands the library the stream, copied; false, with what the call returned, when it refuses it.</summary>
    private protected abstract bool SubmitCopy(byte* commands, int length, out int result);

    private protected abstract void DestroyInLibrary();
}
