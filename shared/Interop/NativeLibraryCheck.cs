using System.Reflection;
using System.Runtime.InteropServices;

namespace CrossDomain.Interop;

/// <summary>
/// Whether an optional native library (libgbm, libvirglrenderer, libgfxstream_backend) is there
/// with every function a binding imports: asked before the first call, so that a missing or too
/// old library is a clear "not available" rather than an EntryPointNotFoundException mid-way.
/// </summary>
public static class NativeLibraryCheck
{
    /// <param name="importingAssembly">The assembly whose LibraryImports will resolve to the library.</param>
    /// <param name="whenMissing">Added to the "cannot be loaded" reason, e.g. where to get the library; may be null.</param>
    public static bool TryLoad(string library, Assembly importingAssembly, IReadOnlyList<string> requiredExports, string? whenMissing, out string? problem)
    {
        problem = null;
        if (!NativeLibrary.TryLoad(library, importingAssembly, DllImportSearchPath.SafeDirectories, out nint handle))
        {
            problem = whenMissing is null ? $"{library} cannot be loaded" : $"{library} cannot be loaded ({whenMissing})";
            return false;
        }
        // The handle stays loaded: the imports resolve to the same library for the process's life.
        foreach (string export in requiredExports)
        {
            if (NativeLibrary.TryGetExport(handle, export, out _)) continue;
            problem = $"{library} has no {export}";
            return false;
        }
        return true;
    }
}
