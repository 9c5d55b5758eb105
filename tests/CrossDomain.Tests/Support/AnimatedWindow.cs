namespace CrossDomain.Tests.Support;

/// <summary>
/// What an animating client (weston-simple-shm) shows on a headless weston's output: the area that
/// keeps changing (its pattern inside the window's border) and its colours.
/// </summary>
public readonly record struct AnimatedWindow(int X, int Y, int Width, int Height, int DistinctColours)
{
    /// <summary>The output once weston's start-up fade is over: two shots in a row alike.</summary>
    public static void WaitUntilSettled(HeadlessWeston weston, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var previous = WestonOutputCapture.Capture(weston);
        while (true)
        {
            Thread.Sleep(200);
            var shot = WestonOutputCapture.Capture(weston);
            if (Differences(previous, shot) == 0) return;
            Assert.True(DateTime.UtcNow < deadline, "weston's output never settled");
            previous = shot;
        }
    }

    /// <summary>
    /// Waits for an animated window narrower than the output; <paramref name="checkClient"/> runs
    /// between tries and fails the test when the client is gone. <paramref name="minimumWidth"/>
    /// is of what changes: a whole pattern, or only a small moving part (weston-simple-damage's ball).
    /// </summary>
    public static AnimatedWindow WaitFor(HeadlessWeston weston, TimeSpan timeout, Action checkClient, string client, int minimumWidth = 101)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            checkClient();
            // Three shots: the window changes between each pair; a panel clock ticking over changes one pair only.
            var first = WestonOutputCapture.Capture(weston);
            Thread.Sleep(150);
            var second = WestonOutputCapture.Capture(weston);
            Thread.Sleep(150);
            var third = WestonOutputCapture.Capture(weston);
            if (TryFind(first, second, third, out var window) && window.Width >= minimumWidth && window.Width < first.Width) return window;
            Assert.True(DateTime.UtcNow < deadline, $"{client}'s window never appeared animated on the output");
        }
    }

    private static int Differences(Screenshot first, Screenshot second)
    {
        int count = 0;
        for (int y = 0; y < first.Height; y++)
            for (int x = 0; x < first.Width; x++)
                if (first[x, y] != second[x, y]) count++;
        return count;
    }

    private static bool TryFind(Screenshot first, Screenshot second, Screenshot third, out AnimatedWindow window)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (int y = 0; y < first.Height; y++)
            for (int x = 0; x < first.Width; x++)
            {
                if (first[x, y] == second[x, y] || second[x, y] == third[x, y]) continue;
                left = Math.Min(left, x);
                top = Math.Min(top, y);
                right = Math.Max(right, x);
                bottom = Math.Max(bottom, y);
            }
        window = default;
        if (right < 0) return false;
        var colours = new HashSet<uint>();
        for (int y = top; y <= bottom; y++)
            for (int x = left; x <= right; x++)
                colours.Add(third[x, y]);
        window = new AnimatedWindow(left, top, right - left + 1, bottom - top + 1, colours.Count);
        return true;
    }
}
