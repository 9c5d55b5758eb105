using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// <c>struct virgl_renderer_callbacks</c> as of version 4. The renderer keeps a pointer to it for
/// its whole life, so it lives in native memory. Fields past the declared version are not read;
/// the GL-context ones stay null so virglrenderer makes its own EGL winsys.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct VirglCallbacks
{
    public int Version;

    /// <summary><c>void (*)(void *cookie, uint32_t fence)</c>: ctx0 fences, which this device never makes.</summary>
    public nint WriteFence;

    public nint CreateGlContext;
    public nint DestroyGlContext;
    public nint MakeCurrent;
    public nint GetDrmFd;

    /// <summary><c>void (*)(void *cookie, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id)</c>, version 3.</summary>
    public nint WriteContextFence;

    public nint GetServerFd;
    public nint GetEglDisplay;
}
