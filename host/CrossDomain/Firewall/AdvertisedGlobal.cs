namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>A global as this context was told of it: the allowlist's entry for its interface and the version it was offered at.</summary>
internal readonly record struct AdvertisedGlobal(AllowedGlobal Allowed, uint OfferedVersion);
