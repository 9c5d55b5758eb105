using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Linux;
using Tmds.Linux;

namespace CrossDomain.VirtioGpu.Driver;

/// <summary>
/// Takes VIRTGPU_EVENT_FENCE_SIGNALED events off a DRM file one at a time, as sommelier does: a
/// read of one 8-byte header returns exactly one fence event, and every other is left queued, so
/// the file stays readable for as long as events remain. Other event types are skipped.
/// </summary>
internal sealed class DrmFenceEventReader(IDrmRenderNode node)
{
    private const int HeaderSize = 8;

    // The kernel returns whole events only; the largest in drm.h is 32 bytes, so this takes at
    // least one of any kind.
    private const int DrainBufferSize = 1024;

    /// <summary>Fence events that arrived in one read together with a longer event, not yet handed out.</summary>
    private int _heldFenceEvents;

    public bool TryRead()
    {
        if (_heldFenceEvents > 0)
        {
            _heldFenceEvents--;
            return true;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        while (true)
        {
            var result = node.Read(header);
            switch (result.Status)
            {
                case IoStatus.WouldBlock:
                    return false;
                case IoStatus.Done when result.Bytes == HeaderSize:
                    if (IsFenceSignaled(header, out _)) return true;
                    break;
                case IoStatus.Done:
                    // Shorter than any event: not something the kernel sends; skip it rather than misread it.
                    break;
                case IoStatus.EndOfStream:
                    // The next event is longer than a header (a type we do not use, or a fence
                    // event with a payload from a newer kernel): take it with whatever follows.
                    if (DrainLongEvents()) return true;
                    break;
                default:
                    throw new VirtioGpuDriverException($"read of DRM events from {node.Path} failed: {Errno.Exception("read", result.Errno).Message}", result.Errno);
            }
        }
    }

    private bool DrainLongEvents()
    {
        Span<byte> buffer = stackalloc byte[DrainBufferSize];
        var result = node.Read(buffer);
        if (result.Status == IoStatus.WouldBlock) return false;
        if (result.Status != IoStatus.Done)
            throw new VirtioGpuDriverException($"a DRM event on {node.Path} did not fit in {DrainBufferSize} bytes", LibC.EIO);
        var events = buffer[..result.Bytes];
        while (events.Length >= HeaderSize)
        {
            bool fence = IsFenceSignaled(events, out uint length);
            if (length < HeaderSize || length > events.Length) break;
            if (fence) _heldFenceEvents++;
            events = events[(int)length..];
        }
        if (_heldFenceEvents == 0) return false;
        _heldFenceEvents--;
        return true;
    }

    private static bool IsFenceSignaled(ReadOnlySpan<byte> drmEvent, out uint length)
    {
        var header = MemoryMarshal.Read<DrmEvent>(drmEvent);
        length = header.Length;
        return header.Type == DrmEvent.VirtgpuFenceSignaled;
    }
}
