namespace CrossDomain.Tests.Virgl;

/// <summary>
/// virglrenderer is one global state per process that one device at a time may hold: the tests
/// that start it run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class VirglCollection
{
    public const string Name = "virglrenderer";
}
