using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

/// <summary>Stands in for a descriptor chain's writable part: keeps the response and counts completions.</summary>
internal sealed class RecordingReply(int capacity = 4096, Action<RecordingReply>? onComplete = null) : PendingReply
{
    private byte[]? _response;

    public override int Capacity => capacity;

    public int CompletionCount { get; private set; }

    public bool IsCompleted => CompletionCount > 0;

    public byte[] Response => _response ?? throw new InvalidOperationException("The reply has not been completed.");

    public ControlHeader Header => Read<ControlHeader>();

    public CommandType Type => Header.Type;

    public TResponse Read<TResponse>() where TResponse : unmanaged => MemoryMarshal.Read<TResponse>(Response);

    public override void Complete(ReadOnlySpan<byte> response)
    {
        CompletionCount++;
        _response = response[..Math.Min(response.Length, capacity)].ToArray();
        onComplete?.Invoke(this);
    }
}
