namespace CrossDomain.Tests.CommandLine;

/// <summary>
/// A directory of its own per test, deleted afterwards: it stands in for the executable's directory
/// (so no stray appsettings.json is read) and holds the config files a test writes.
/// </summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("crossdomain-cli-").FullName;
    }

    public string Path { get; }

    public string WriteFile(string name, string content)
    {
        string path = System.IO.Path.Join(Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
