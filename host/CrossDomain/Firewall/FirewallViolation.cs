namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>The rule a stream broke and the message that broke it, described for one log line.</summary>
public sealed record FirewallViolation(FirewallRule Rule, string Message);
