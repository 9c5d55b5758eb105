namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// What one request's payload may look like on one socket: a length range and an fd count range.
/// <see cref="IsKnown"/> is false for ids the reader does not know but lets through (bounded by
/// the generic limits) so the session can refuse them with a proper reply.
/// </summary>
public readonly record struct PayloadShape(int MinLength, int MaxLength, int MinFds, int MaxFds, bool IsKnown = true)
{
    public static PayloadShape Empty { get; } = Exactly(0);

    public static PayloadShape U64 { get; } = Exactly(sizeof(ulong));

    /// <summary>Any id the reader does not know, within the limits every message obeys.</summary>
    public static PayloadShape Unknown { get; } =
        new(0, VhostUserLimits.MaxPayload, 0, VhostUserLimits.MaxFdsPerMessage, IsKnown: false);

    public static PayloadShape Exactly(int length, int fds = 0) => new(length, length, fds, fds);

    public static PayloadShape Between(int minLength, int maxLength, int minFds = 0, int maxFds = 0) =>
        new(minLength, maxLength, minFds, maxFds);

    public bool AllowsLength(uint length) => length >= (uint)MinLength && length <= (uint)MaxLength;
}
