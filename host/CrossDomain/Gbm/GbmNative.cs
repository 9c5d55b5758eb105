using System.Runtime.InteropServices;
using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain.Gbm;

/// <summary>
/// The few libgbm entry points the allocator uses (Mesa's gbm.h; Debian's libgbm1 ships
/// libgbm.so.1). They are bound by soname, so nothing is loaded until one is called; callers must
/// first ask <see cref="TryLoad"/>, which turns a host without libgbm into a clear "not available"
/// rather than a DllNotFoundException in the middle of a guest command.
/// </summary>
internal static unsafe partial class GbmNative
{
    private const string Library = "libgbm.so.1";

    /// <summary>Every export used below: a libgbm too old to have one of them counts as missing.</summary>
    private static readonly string[] RequiredExports =
    [
        "gbm_create_device", "gbm_device_destroy", "gbm_device_is_format_supported", "gbm_bo_create",
        "gbm_bo_get_fd", "gbm_bo_get_plane_count", "gbm_bo_get_stride_for_plane", "gbm_bo_get_offset",
        "gbm_bo_get_modifier", "gbm_bo_destroy",
    ];

    /// <summary>Whether libgbm can be loaded and has every export; <paramref name="problem"/> says why not.</summary>
    public static bool TryLoad(out string? problem) =>
        NativeLibraryCheck.TryLoad(Library, typeof(GbmNative).Assembly, RequiredExports, whenMissing: null, out problem);

    [LibraryImport(Library, EntryPoint = "gbm_create_device")]
    public static partial nint CreateDevice(int fd);

    [LibraryImport(Library, EntryPoint = "gbm_device_destroy")]
    public static partial void DestroyDevice(nint device);

    [LibraryImport(Library, EntryPoint = "gbm_device_is_format_supported")]
    public static partial int IsFormatSupported(nint device, uint format, uint usage);

    [LibraryImport(Library, EntryPoint = "gbm_bo_create")]
    public static partial nint CreateBuffer(nint device, uint width, uint height, uint format, uint usage);

    /// <summary>A new dma-buf fd (close-on-exec) for the whole buffer; -1 on failure.</summary>
    [LibraryImport(Library, EntryPoint = "gbm_bo_get_fd")]
    public static partial int GetFd(nint buffer);

    [LibraryImport(Library, EntryPoint = "gbm_bo_get_plane_count")]
    public static partial int GetPlaneCount(nint buffer);

    [LibraryImport(Library, EntryPoint = "gbm_bo_get_stride_for_plane")]
    public static partial uint GetStrideForPlane(nint buffer, int plane);

    [LibraryImport(Library, EntryPoint = "gbm_bo_get_offset")]
    public static partial uint GetOffset(nint buffer, int plane);

    [LibraryImport(Library, EntryPoint = "gbm_bo_get_modifier")]
    public static partial ulong GetModifier(nint buffer);

    [LibraryImport(Library, EntryPoint = "gbm_bo_destroy")]
    public static partial void DestroyBuffer(nint buffer);
}
