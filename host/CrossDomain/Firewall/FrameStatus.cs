namespace CrossDomain.Host.CrossDomain.Firewall;

internal enum FrameStatus
{
    /// <summary>A whole message is there.</summary>
    Message,

    /// <summary>The bytes are used up; an unfinished message waits for the next call.</summary>
    End,

    /// <summary>A header no peer may send: the stream cannot be framed any further.</summary>
    Malformed,
}
