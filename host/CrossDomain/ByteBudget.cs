namespace CrossDomain.Host.CrossDomain;

/// <summary>Bytes queued on a context's behalf, shared by everything that queues them, against one limit.</summary>
internal sealed class ByteBudget(int limit)
{
    public int Used { get; private set; }

    public bool HasRoom(int bytes) => bytes <= limit - Used;

    public bool CanEverHold(int bytes) => bytes <= limit;

    /// <summary>Callers check <see cref="HasRoom"/> first; taking more than is left is a bug.</summary>
    public void Take(int bytes)
    {
        if (!HasRoom(bytes)) throw new InvalidOperationException($"{bytes} bytes do not fit in what is left of the budget ({limit - Used}).");
        Used += bytes;
    }

    public void Return(int bytes) => Used -= bytes;
}
