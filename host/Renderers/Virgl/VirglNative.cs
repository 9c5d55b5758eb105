using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// The libvirglrenderer entry points the virgl context type uses (virglrenderer.h of 0.10.x, with
/// VIRGL_RENDERER_UNSTABLE_APIS: per-context fences and blobs). Bound by soname, so nothing is
/// loaded until <see cref="TryLoad"/> says the library and every export are there; a host without
/// it then simply offers no virgl capsets.
/// </summary>
internal static unsafe partial class VirglNative
{
    public const string Library = "libvirglrenderer.so.1";

    /// <summary>Flags of virgl_renderer_init.</summary>
    public const int UseEgl = 1 << 0;
    public const int ThreadSync = 1 << 1;
    public const int UseSurfaceless = 1 << 3;

    /// <summary>virgl_renderer_callbacks.version that has write_context_fence.</summary>
    public const int CallbacksVersionWithContextFences = 3;

    public const uint ContextFlagCapsetIdMask = 0xff;

    /// <summary>virgl_hw.h: struct virgl_caps_v2's capability_bits (after the 77 words of v1 and 21 of v2), and its bit for ARB_buffer_storage.</summary>
    public const int Caps2CapabilityBitsOffset = (77 + 21) * 4;
    public const uint CapArbBufferStorage = 1u << 31;

    public const uint BlobFdTypeDmabuf = 1;
    public const uint BlobFdTypeOpaque = 2;
    public const uint BlobFdTypeShm = 3;

    /// <summary>Every export used below: an older library without one of them counts as missing.</summary>
    private static readonly string[] RequiredExports =
    [
        "virgl_renderer_init", "virgl_renderer_cleanup", "virgl_renderer_poll", "virgl_renderer_get_poll_fd",
        "virgl_renderer_get_cap_set", "virgl_renderer_fill_caps", "virgl_renderer_context_create_with_flags",
        "virgl_renderer_context_destroy", "virgl_renderer_submit_cmd", "virgl_renderer_context_create_fence",
        "virgl_renderer_resource_create", "virgl_renderer_resource_unref", "virgl_renderer_resource_attach_iov",
        "virgl_renderer_resource_detach_iov", "virgl_renderer_transfer_read_iov", "virgl_renderer_transfer_write_iov",
        "virgl_renderer_ctx_attach_resource", "virgl_renderer_ctx_detach_resource",
        "virgl_renderer_resource_create_blob", "virgl_renderer_resource_export_blob", "virgl_set_debug_callback",
    ];

    /// <summary>Whether the library loads with every export; <paramref name="problem"/> says why not.</summary>
    public static bool TryLoad(string library, out string? problem) =>
        NativeLibraryCheck.TryLoad(library, typeof(VirglNative).Assembly, RequiredExports, whenMissing: null, out problem);

    /// <summary>
    /// Where the renderer's messages go instead of stderr: <c>void (*)(const char *fmt, va_list ap)</c>.
    /// Returns the previous callback.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "virgl_set_debug_callback")]
    public static partial nint SetDebugCallback(nint callback);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_init")]
    public static partial int Init(nint cookie, int flags, VirglCallbacks* callbacks);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_cleanup")]
    public static partial void Cleanup(nint cookie);

    /// <summary>Retires finished fences: their callbacks run inside this call, on this thread.</summary>
    [LibraryImport(Library, EntryPoint = "virgl_renderer_poll")]
    public static partial void Poll();

    /// <summary>Readable when a fence finished (THREAD_SYNC only); -1 otherwise. Owned by the renderer.</summary>
    [LibraryImport(Library, EntryPoint = "virgl_renderer_get_poll_fd")]
    public static partial int GetPollFd();

    [LibraryImport(Library, EntryPoint = "virgl_renderer_get_cap_set")]
    public static partial void GetCapSet(uint capsetId, uint* maxVersion, uint* maxSize);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_fill_caps")]
    public static partial void FillCaps(uint capsetId, uint version, void* caps);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_context_create_with_flags")]
    public static partial int CreateContext(uint contextId, uint flags, uint nameLength, byte* name);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_context_destroy")]
    public static partial void DestroyContext(uint contextId);

    /// <summary>Decodes <paramref name="dwordCount"/> 32-bit words of virgl commands.</summary>
    [LibraryImport(Library, EntryPoint = "virgl_renderer_submit_cmd")]
    public static partial int SubmitCommands(void* commands, int contextId, int dwordCount);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_context_create_fence")]
    public static partial int CreateContextFence(uint contextId, uint flags, uint ringIndex, ulong fenceId);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_resource_create")]
    public static partial int CreateResource(VirglResourceCreateArgs* args, IoVector* vectors, uint vectorCount);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_resource_unref")]
    public static partial void UnrefResource(uint resourceId);

    /// <summary>The renderer keeps <paramref name="vectors"/> (not a copy) until detach.</summary>
    [LibraryImport(Library, EntryPoint = "virgl_renderer_resource_attach_iov")]
    public static partial int AttachBacking(int resourceId, IoVector* vectors, int vectorCount);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_resource_detach_iov")]
    public static partial void DetachBacking(int resourceId, IoVector** vectors, int* vectorCount);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_transfer_read_iov")]
    public static partial int TransferRead(uint resourceId, uint contextId, uint level, uint stride, uint layerStride,
        Box* box, ulong offset, IoVector* vectors, int vectorCount);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_transfer_write_iov")]
    public static partial int TransferWrite(uint resourceId, uint contextId, int level, uint stride, uint layerStride,
        Box* box, ulong offset, IoVector* vectors, uint vectorCount);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_ctx_attach_resource")]
    public static partial void AttachResourceToContext(int contextId, int resourceId);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_ctx_detach_resource")]
    public static partial void DetachResourceFromContext(int contextId, int resourceId);

    [LibraryImport(Library, EntryPoint = "virgl_renderer_resource_create_blob")]
    public static partial int CreateBlob(VirglBlobCreateArgs* args);

    /// <summary>A new fd for the blob's memory, of the VIRGL_RENDERER_BLOB_FD_TYPE_* in <paramref name="fdType"/>.</summary>
    [LibraryImport(Library, EntryPoint = "virgl_renderer_resource_export_blob")]
    public static partial int ExportBlob(uint resourceId, uint* fdType, int* fd);
}

/// <summary><c>struct iovec</c>: one piece of guest memory as this process sees it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IoVector
{
    public nint Base;
    public nuint Length;
}

/// <summary><c>struct virgl_renderer_resource_create_blob_args</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct VirglBlobCreateArgs
{
    public uint ResourceHandle;
    public uint ContextId;
    public uint BlobMemory;
    public uint BlobFlags;
    public ulong BlobId;
    public ulong Size;
    public IoVector* Vectors;
    public uint VectorCount;
}

/// <summary><c>struct virgl_renderer_resource_create_args</c>: the resource id and RESOURCE_CREATE_3D's description.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VirglResourceCreateArgs
{
    public uint Handle;
    public Resource3DDescription Description;
}

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
