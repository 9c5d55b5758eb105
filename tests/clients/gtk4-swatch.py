#!/usr/bin/python3
"""A GTK4 window whose pixels a test can find and compare: four flat quadrants of known colours
under GTK's own header bar, drawn with the cairo renderer so that a guest (Mesa virgl) and the
host (llvmpipe) paint it alike. It prints "gtk4-swatch: mapped" once the window is mapped and
runs until it is killed or closed."""
import os

os.environ.setdefault("GSK_RENDERER", "cairo")
import gi  # noqa: E402

gi.require_version("Gdk", "4.0")
gi.require_version("Gtk", "4.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

QUADRANT_WIDTH, QUADRANT_HEIGHT = 120, 80
# Far from every colour of GTK's Adwaita theme, so that a test finds them by exact value.
COLOURS = ["#ff00ff", "#00ffff", "#ffff00", "#2040c0"]

css = Gtk.CssProvider()
css.load_from_data("".join(f".swatch-{i} {{ background-color: {c}; }}" for i, c in enumerate(COLOURS)).encode())
Gtk.StyleContext.add_provider_for_display(
    Gdk.Display.get_default(), css, Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)

grid = Gtk.Grid()
for index in range(len(COLOURS)):
    quadrant = Gtk.Box()
    quadrant.set_size_request(QUADRANT_WIDTH, QUADRANT_HEIGHT)
    quadrant.add_css_class(f"swatch-{index}")
    grid.attach(quadrant, index % 2, index // 2, 1, 1)

loop = GLib.MainLoop()
window = Gtk.Window(title="crossdomain swatch", resizable=False)
window.set_child(grid)
window.connect("close-request", lambda *_: loop.quit())
window.connect("map", lambda *_: print("gtk4-swatch: mapped", flush=True))
window.present()
loop.run()
