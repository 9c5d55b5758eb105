using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// A context's read pipes (PROTOCOL.md B.6): the id the guest must use next, the pipes a SEND is
/// making, and the pipes whose write ends the compositor holds, which the channel ring reads while
/// a POLL fence waits.
/// <para>
/// Ids: both sides count from 0x80000000, incrementing before use (the first id is 0x80000001),
/// and wrap back to 0x80000000. The guest predicts the id instead of asking, and the host checks
/// the prediction.
/// </para>
/// </summary>
internal sealed class ReadPipes : IDisposable
{
    private readonly EventLoop _loop;
    private readonly HostFdBudget _fds;
    private readonly int _limit;
    private readonly Action<ReadPipe> _ready;
    private readonly Dictionary<uint, ReadPipe> _open = [];
    private readonly List<(uint Id, FileDescriptor ReadEnd, FileDescriptor WriteEnd)> _unsent = [];
    private uint _lastPredictedId = CrossDomainLimits.PipeReadStart;
    private bool _watched;

    /// <param name="ready">Called on the loop when a watched pipe has data or its writer closed.</param>
    public ReadPipes(EventLoop loop, HostFdBudget fds, int limit, Action<ReadPipe> ready)
    {
        _loop = loop;
        _fds = fds;
        _limit = limit;
        _ready = ready;
    }

    /// <summary>Set while a POLL fence waits: only then are the pipes read.</summary>
    public bool IsWatched
    {
        get => _watched;
        set
        {
            _watched = value;
            foreach (var pipe in _open.Values) pipe.IsWatched = value;
        }
    }

    /// <summary>Whether <paramref name="count"/> more pipes fit beside the open ones.</summary>
    public bool HasRoom(int count) => _open.Count + count <= _limit;

    /// <summary>
    /// Takes the next id the guest was due to use and says whether <paramref name="id"/> is it, and
    /// free. Called for every READ_PIPE the guest sends, even in a SEND that is refused: the guest
    /// counts an id as used once it sent it, and the two counts stay in step.
    /// </summary>
    public bool TakeExpectedId(uint id)
    {
        _lastPredictedId = _lastPredictedId == uint.MaxValue ? CrossDomainLimits.PipeReadStart : _lastPredictedId + 1;
        return id == _lastPredictedId && !_open.ContainsKey(id);
    }

    /// <summary>
    /// Makes the pipe for READ_PIPE <paramref name="id"/> of a SEND under way; returns the write end
    /// for the compositor. The pipe opens with <see cref="OpenSent"/> or goes with <see cref="CloseUnsent"/>.
    /// The caller has checked that the device's fd budget has room for both ends.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">Out of fds.</exception>
    public FileDescriptor CreateForSend(uint id)
    {
        // Blocking ends for the compositor and the client it passes the write end to; only our read
        // end, a separate open file, is made non-blocking for the loop.
        var (readEnd, writeEnd) = Pipe.Create(nonBlocking: false);
        _unsent.Add((id, readEnd, writeEnd));
        _fds.Take(2);
        readEnd.SetNonBlocking();
        return writeEnd;
    }

    /// <summary>The SEND went out: the compositor has its copies of the write ends, and the pipes are read from now.</summary>
    public void OpenSent()
    {
        // Our write ends close now, so the read ends see end-of-file once the compositor's copies close.
        foreach (var (id, readEnd, writeEnd) in _unsent)
        {
            writeEnd.Dispose();
            _fds.Return(1);
            var pipe = new ReadPipe(id, readEnd, _loop, _fds, _ready);
            _open.Add(id, pipe);
            pipe.IsWatched = _watched;
        }
        _unsent.Clear();
    }

    /// <summary>The SEND failed: its pipes are closed, both ends.</summary>
    public void CloseUnsent()
    {
        foreach (var (_, readEnd, writeEnd) in _unsent)
        {
            readEnd.Dispose();
            writeEnd.Dispose();
            _fds.Return(2);
        }
        _unsent.Clear();
    }

    /// <summary>The pipe hung up (end of data or a read error): its id may be used again.</summary>
    public void Close(ReadPipe pipe)
    {
        _open.Remove(pipe.Id);
        pipe.Dispose();
    }

    public void CloseAll()
    {
        foreach (var pipe in _open.Values) pipe.Dispose();
        _open.Clear();
    }

    public void Dispose()
    {
        CloseUnsent();
        CloseAll();
    }
}
