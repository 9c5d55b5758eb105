using CrossDomain.Host.Device;
using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// SEND data the compositor's socket could not take at once, in order, each chunk with the fds
/// that must travel with its first byte. Only used when the socket is full, which a healthy
/// compositor rarely lets happen; the budgets bound what a stalled one can make us hold: bytes
/// (each chunk also costing <see cref="ChunkOverhead"/>) and the duplicated fds.
/// </summary>
internal sealed class SendBacklog(ByteBudget budget, HostFdBudget fdBudget)
{
    /// <summary>
    /// Budget bytes a queued chunk costs beyond its data: what the chunk, its arrays and its queue
    /// slot take, rounded up. Without it a guest queueing one-byte SENDs would make the host hold
    /// a hundred times what the budget says.
    /// </summary>
    public const int ChunkOverhead = 128;

    private readonly Queue<Chunk> _chunks = new();

    public bool IsEmpty => _chunks.Count == 0;

    /// <summary>
    /// Queues <paramref name="data"/> with duplicates of <paramref name="fds"/> (the caller keeps its
    /// own). The caller has checked that both budgets have room: <see cref="ChunkOverhead"/> more
    /// than the data, and one fd for each of <paramref name="fds"/>.
    /// </summary>
    public void Add(ReadOnlySpan<byte> data, ReadOnlySpan<FileDescriptor> fds)
    {
        FileDescriptor[] duplicates = fds.IsEmpty ? [] : new FileDescriptor[fds.Length];
        try
        {
            for (int i = 0; i < fds.Length; i++) duplicates[i] = fds[i].Duplicate();
        }
        catch
        {
            foreach (var duplicate in duplicates) duplicate?.Dispose();
            throw;
        }
        budget.Take(data.Length + ChunkOverhead);
        fdBudget.Take(duplicates.Length);
        _chunks.Enqueue(new Chunk(data.ToArray(), duplicates));
    }

    /// <summary>Sends chunks until all are out or the socket is full; a send failure is returned as it came.</summary>
    public IoResult Flush(UnixSocket socket)
    {
        int total = 0;
        while (_chunks.TryPeek(out var chunk))
        {
            var result = socket.Send(chunk.Data.AsSpan(chunk.Sent), chunk.Fds);
            if (result.Status != IoStatus.Done) return result.Status == IoStatus.WouldBlock ? IoResult.Done(total) : result;
            // The kernel took the fds with the first byte it took.
            ReleaseFds(chunk);
            chunk.Sent += result.Bytes;
            budget.Return(result.Bytes);
            total += result.Bytes;
            if (chunk.Sent == chunk.Data.Length)
            {
                _chunks.Dequeue();
                budget.Return(ChunkOverhead);
            }
        }
        return IoResult.Done(total);
    }

    public void Clear()
    {
        while (_chunks.TryDequeue(out var chunk))
        {
            ReleaseFds(chunk);
            budget.Return(chunk.Data.Length - chunk.Sent + ChunkOverhead);
        }
    }

    private void ReleaseFds(Chunk chunk)
    {
        fdBudget.Return(chunk.Fds.Length);
        chunk.ReleaseFds();
    }

    private sealed class Chunk(byte[] data, FileDescriptor[] fds)
    {
        public byte[] Data { get; } = data;

        public FileDescriptor[] Fds { get; private set; } = fds;

        public int Sent { get; set; }

        public void ReleaseFds()
        {
            foreach (var fd in Fds) fd.Dispose();
            Fds = [];
        }
    }
}
