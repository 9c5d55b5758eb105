using System.Diagnostics;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// Frames of a shm window of the picture's size committed as fast as buffers come back: two buffers alternate,
/// and a buffer is repainted only after its wl_buffer.release. Weston (pixman, shm) releases a
/// buffer when the next one is committed, so this measures how many frames per second the path
/// delivers to the compositor, not the display rate: frame callbacks would cap every path at the
/// headless output's repaint rate (about 38 fps) and hide the relay's cost. The run ends with a
/// round trip, so every frame has reached the compositor when the clock stops.
/// </summary>
internal static class FrameThroughput
{
    public readonly record struct Result(int Frames, double FramesPerSecond, double? RelayCpuMillisecondsPerFrame, double? CopiedBytesPerFrame, long DamagedBytesPerFrame);

    public static Result Measure(IWaylandPath path, BenchPicture picture, bool fullDamage, int frames)
    {
        var client = BenchWaylandClient.Connect(path.SocketForNextClient());
        Stopwatch elapsed;
        TimeSpan cpu;
        try
        {
            client.LoadGlobals();
            using var window = new ShmWindow(client, picture.Size, pixels => picture.PaintWhole(pixels, 0));
            // Each buffer shown once first, the second (same picture) with no damage: each is new to
            // the relay, so copied whole then, and not part of the measurement. With full damage on
            // the second, the first buffer would owe the relay a whole copy in the first frame.
            window.Commit(0, picture.Whole);
            window.Commit(1, default);
            client.Sync();

            var cpuBefore = ProcessTreeUsage.Cpu(path.RelayProcessIds);
            elapsed = Stopwatch.StartNew();
            for (int frame = 0; frame < frames; frame++)
            {
                int buffer = frame % ShmWindow.BufferCount;
                window.WaitUntilReleased(buffer);
                var pixels = window.Pixels(buffer);
                if (fullDamage)
                {
                    picture.PaintWhole(pixels, frame + 1);
                    window.Commit(buffer, picture.Whole);
                }
                else
                {
                    // This frame's square and the previous frame's, which this buffer missed; only
                    // the new square is damaged, as a double-buffering toolkit does.
                    if (frame > 0) picture.PaintSquare(pixels, frame - 1);
                    picture.PaintSquare(pixels, frame);
                    window.Commit(buffer, picture.SquareOf(frame));
                }
            }
            client.Sync();
            elapsed.Stop();
            cpu = ProcessTreeUsage.Cpu(path.RelayProcessIds) - cpuBefore;
        }
        finally
        {
            client.Dispose();
        }

        long damagedBytesPerFrame = fullDamage ? picture.Whole.Bytes : picture.SquareOf(0).Bytes;
        double? copiedPerFrame = path.ShmBytesCopiedForLatestClient() is long copied
            ? (copied - (double)ShmWindow.BufferCount * picture.Size.BufferBytes) / frames
            : null;
        return new Result(frames, frames / elapsed.Elapsed.TotalSeconds,
            path.RelayProcessIds.Count == 0 ? null : cpu.TotalMilliseconds / frames, copiedPerFrame, damagedBytesPerFrame);
    }
}
