using System.Runtime.InteropServices;
using CrossDomain.Interop;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary>
/// gfxstream's host renderer, libgfxstream_backend (AOSP hardware/google/gfxstream), through its
/// stream_renderer C API (virtio-gpu-gfxstream-renderer.h, release 0.1.2), the one crosvm's
/// rutabaga drives. Debian does not package it: <see cref="TryLoad"/> is what decides whether the
/// gfxstream capsets exist on a host.
/// </summary>
internal static unsafe partial class GfxstreamNative
{
    public const string Library = "libgfxstream_backend.so.0";

    public const ulong ParamUserData = 1;
    public const ulong ParamRendererFlags = 2;
    public const ulong ParamFenceCallback = 3;

    public const ulong FlagUseEgl = 1 << 0;
    public const ulong FlagUseSurfaceless = 1 << 3;
    public const ulong FlagUseGles = 1 << 4;
    public const ulong FlagUseVulkan = 1 << 5;

    public const uint FenceFlagFence = 1 << 0;
    public const uint FenceFlagRingIndex = 1 << 1;

    public const uint HandleTypeOpaqueFd = 0x1;
    public const uint HandleTypeDmabuf = 0x2;
    public const uint HandleTypeShm = 0x4;

    private static readonly string[] RequiredExports =
    [
        "stream_renderer_init", "stream_renderer_teardown", "stream_renderer_get_cap_set", "stream_renderer_fill_caps",
        "stream_renderer_context_create", "stream_renderer_context_destroy", "stream_renderer_submit_cmd",
        "stream_renderer_create_fence", "stream_renderer_resource_unref", "stream_renderer_ctx_attach_resource",
        "stream_renderer_ctx_detach_resource", "stream_renderer_create_blob", "stream_renderer_export_blob",
    ];

    /// <summary>Whether <paramref name="library"/> loads with every export; <paramref name="problem"/> says why not.</summary>
    public static bool TryLoad(string library, out string? problem) =>
        NativeLibraryCheck.TryLoad(library, typeof(GfxstreamNative).Assembly, RequiredExports,
            "it is not packaged for Debian; build it from AOSP gfxstream", out problem);

    [LibraryImport(Library, EntryPoint = "stream_renderer_init")]
    public static partial int Init(StreamRendererParam* parameters, ulong count);

    [LibraryImport(Library, EntryPoint = "stream_renderer_teardown")]
    public static partial void Teardown();

    [LibraryImport(Library, EntryPoint = "stream_renderer_get_cap_set")]
    public static partial void GetCapSet(uint capsetId, uint* maxVersion, uint* maxSize);

    [LibraryImport(Library, EntryPoint = "stream_renderer_fill_caps")]
    public static partial void FillCaps(uint capsetId, uint version, void* caps);

    [LibraryImport(Library, EntryPoint = "stream_renderer_context_create")]
    public static partial int CreateContext(uint contextId, uint nameLength, byte* name, uint contextInit);

    [LibraryImport(Library, EntryPoint = "stream_renderer_context_destroy")]
    public static partial void DestroyContext(uint contextId);

    [LibraryImport(Library, EntryPoint = "stream_renderer_submit_cmd")]
    public static partial int Submit(StreamRendererCommand* command);

    [LibraryImport(Library, EntryPoint = "stream_renderer_create_fence")]
    public static partial int CreateFence(StreamRendererFence* fence);

    [LibraryImport(Library, EntryPoint = "stream_renderer_resource_unref")]
    public static partial void UnrefResource(uint resourceId);

    [LibraryImport(Library, EntryPoint = "stream_renderer_ctx_attach_resource")]
    public static partial void AttachResourceToContext(int contextId, int resourceId);

    [LibraryImport(Library, EntryPoint = "stream_renderer_ctx_detach_resource")]
    public static partial void DetachResourceFromContext(int contextId, int resourceId);

    [LibraryImport(Library, EntryPoint = "stream_renderer_create_blob")]
    public static partial int CreateBlob(uint contextId, uint resourceId, StreamRendererCreateBlob* blob, IntPtr vectors,
        uint vectorCount, StreamRendererHandle* handle);

    [LibraryImport(Library, EntryPoint = "stream_renderer_export_blob")]
    public static partial int ExportBlob(uint resourceId, StreamRendererHandle* handle);
}

/// <summary><c>struct stream_renderer_command</c>: a SUBMIT_3D's bytes for one context.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct StreamRendererCommand
{
    public uint ContextId;
    public uint CommandSize;
    public byte* Commands;

    /// <summary>Unstable past 0.1.2: always 0 here.</summary>
    public uint InFenceCount;

    public StreamRendererHandle* InFences;
}

/// <summary><c>struct stream_renderer_create_blob</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererCreateBlob
{
    public uint BlobMemory;
    public uint BlobFlags;
    public ulong BlobId;
    public ulong Size;
}

/// <summary><c>struct stream_renderer_fence</c>: what create_fence takes and the fence callback gets.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererFence
{
    public uint Flags;
    public ulong FenceId;
    public uint ContextId;
    public byte RingIndex;
}

/// <summary><c>struct stream_renderer_handle</c>: an OS handle (here an fd) and its STREAM_MEM_HANDLE_TYPE_*.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererHandle
{
    public long OsHandle;
    public uint HandleType;
}

/// <summary><c>struct stream_renderer_param</c>: one key (STREAM_RENDERER_PARAM_*) and its value or pointer.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererParam
{
    public ulong Key;
    public ulong Value;
}
