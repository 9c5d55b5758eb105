using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// A guest backing as the iovec array a renderer reads and writes: each entry's guest pages where
/// this process has them mapped. Native memory, because the renderer keeps the array while the
/// backing is attached; built only when every entry lies in guest RAM.
/// </summary>
internal sealed unsafe class GuestIoVectors : IDisposable
{
    private GuestIoVectors(IoVector* vectors, int count)
    {
        Vectors = vectors;
        Count = count;
    }

    public IoVector* Vectors { get; private set; }

    public int Count { get; }

    /// <summary>Null when any entry is outside the guest memory table.</summary>
    public static GuestIoVectors? TryCreate(GuestBacking backing, IGuestMemory memory)
    {
        var entries = backing.Entries;
        var vectors = (IoVector*)NativeMemory.Alloc((nuint)entries.Length, (nuint)sizeof(IoVector));
        for (int i = 0; i < entries.Length; i++)
        {
            if (!memory.TryGetSpan(entries[i].Address, entries[i].Length, out var span))
            {
                NativeMemory.Free(vectors);
                return null;
            }
            // Guest RAM is a fixed mapping, not managed memory: the address stays valid until the table changes.
            vectors[i] = new IoVector
            {
                Base = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)),
                Length = (nuint)span.Length,
            };
        }
        return new GuestIoVectors(vectors, entries.Length);
    }

    public void Dispose()
    {
        if (Vectors is null) return;
        NativeMemory.Free(Vectors);
        Vectors = null;
    }
}
