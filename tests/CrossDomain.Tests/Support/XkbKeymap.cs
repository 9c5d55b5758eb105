using System.Runtime.InteropServices;
using System.Text;

namespace CrossDomain.Tests.Support;

/// <summary>libxkbcommon (which every Wayland toolkit uses) compiling a keymap text: what "parses as an XKB keymap" means to a client.</summary>
public static partial class XkbKeymap
{
    private const string Library = "libxkbcommon.so.0";
    private const int TextV1Format = 1;

    /// <summary>The number of keycodes the compiled keymap covers; 0 when libxkbcommon refuses the text.</summary>
    public static uint CountKeys(string text)
    {
        nint context = xkb_context_new(0);
        Assert.NotEqual(0, context);
        try
        {
            nint keymap = xkb_keymap_new_from_string(context, Encoding.UTF8.GetBytes(text.TrimEnd('\0') + "\0"), TextV1Format, 0);
            if (keymap == 0) return 0;
            uint keys = xkb_keymap_max_keycode(keymap) - xkb_keymap_min_keycode(keymap) + 1;
            xkb_keymap_unref(keymap);
            return keys;
        }
        finally
        {
            xkb_context_unref(context);
        }
    }

    [LibraryImport(Library)]
    private static partial nint xkb_context_new(int flags);

    [LibraryImport(Library)]
    private static partial void xkb_context_unref(nint context);

    [LibraryImport(Library)]
    private static partial nint xkb_keymap_new_from_string(nint context, byte[] text, int format, int flags);

    [LibraryImport(Library)]
    private static partial uint xkb_keymap_min_keycode(nint keymap);

    [LibraryImport(Library)]
    private static partial uint xkb_keymap_max_keycode(nint keymap);

    [LibraryImport(Library)]
    private static partial void xkb_keymap_unref(nint keymap);
}
