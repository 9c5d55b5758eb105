using System.Diagnostics;
using CrossDomain.Tests.VirtualMachine;

namespace CrossDomain.Tests.Support;

/// <summary>
/// The window of tests/clients/gtk4-swatch.py (a GTK4 app) on a weston output: four flat quadrants
/// of known colours and the header bar GTK draws above them. <see cref="Pixels"/> holds the
/// quadrants and the <see cref="HeaderRows"/> rows above them, the part of the window that shows
/// nothing of what lies behind it (the rounded corners and the shadow blend with the wallpaper,
/// which differs from one place on the output to the next).
/// </summary>
public sealed record SwatchWindow(int X, int Y, uint[] Pixels)
{
    public const int Width = 240;
    public const int Height = 160;
    public const int HeaderRows = 30;

    private const int QuadrantWidth = Width / 2;
    private const int QuadrantHeight = Height / 2;
    private static readonly uint[] Colours = [0xFF00FF, 0x00FFFF, 0xFFFF00, 0x2040C0];

    public static string Script => Path.Combine(VmImages.RepositoryRoot(), "tests", "clients", "gtk4-swatch.py");

    /// <summary>The swatch on <paramref name="shot"/>, every quadrant whole and of its exact colour; null when there is none.</summary>
    public static SwatchWindow? Find(Screenshot shot)
    {
        foreach (var (x, y) in shot.Find(Colours[0]))
        {
            if (x + Width > shot.Width || y + Height > shot.Height || y < HeaderRows || !QuadrantsAt(shot, x, y)) continue;
            var pixels = new uint[Width * (HeaderRows + Height)];
            for (int row = 0; row < HeaderRows + Height; row++)
                for (int column = 0; column < Width; column++)
                    pixels[row * Width + column] = shot[x + column, y - HeaderRows + row];
            return new SwatchWindow(x, y, pixels);
        }
        return null;
    }

    /// <summary>Waits for the swatch; <paramref name="checkClient"/> runs between tries and fails the test when the client is gone.</summary>
    public static SwatchWindow WaitFor(HeadlessWeston weston, TimeSpan timeout, Action checkClient, string client)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            checkClient();
            // Twice alike: GTK's first frames may still be settling (a header bar's focus style).
            var first = Find(WestonOutputCapture.Capture(weston));
            Thread.Sleep(200);
            var second = Find(WestonOutputCapture.Capture(weston));
            if (first is not null && second is not null && first.DifferingPixels(second) == 0) return second;
            Assert.True(DateTime.UtcNow < deadline, $"{client}'s swatch never appeared whole on the output");
            Thread.Sleep(300);
        }
    }

    /// <summary>The swatch with the client run where <paramref name="display"/> points it, until it is seen.</summary>
    public static SwatchWindow Observe(HeadlessWeston weston, Action<ProcessStartInfo> display, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Script) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        display(start);
        using var client = Process.Start(start)!;
        try
        {
            return WaitFor(weston, timeout, () =>
            {
                if (client.HasExited) Assert.Fail($"gtk4-swatch.py exited with {client.ExitCode}: {client.StandardError.ReadToEnd()}");
            }, "gtk4-swatch.py");
        }
        finally
        {
            client.Kill();
            client.WaitForExit();
        }
    }

    public int DifferingPixels(SwatchWindow other) => Pixels.Zip(other.Pixels).Count(pair => pair.First != pair.Second);

    private static bool QuadrantsAt(Screenshot shot, int left, int top)
    {
        for (int quadrant = 0; quadrant < Colours.Length; quadrant++)
        {
            int x0 = left + quadrant % 2 * QuadrantWidth, y0 = top + quadrant / 2 * QuadrantHeight;
            for (int y = y0; y < y0 + QuadrantHeight; y++)
                for (int x = x0; x < x0 + QuadrantWidth; x++)
                    if (shot[x, y] != Colours[quadrant]) return false;
        }
        return true;
    }
}
