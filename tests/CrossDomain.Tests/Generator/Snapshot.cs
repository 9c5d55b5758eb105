using System.Runtime.CompilerServices;

namespace CrossDomain.Tests.Generator;

/// <summary>
/// Compares generated text with a file checked in under Snapshots/. With UPDATE_SNAPSHOTS=1 it
/// rewrites the file instead, so a deliberate change to the output is one run plus a review of the
/// diff. The files are found through this source file's path, as the test project does not copy them
/// to the output directory.
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "UPDATE_SNAPSHOTS";

    public static void Match(string actual, string snapshotName, [CallerFilePath] string callerFilePath = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(callerFilePath)!, "Snapshots", snapshotName + ".g.cs.txt");
        string normalizedActual = NormalizeLineEndings(actual);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, normalizedActual);
            return;
        }
        Assert.True(File.Exists(path), $"There is no snapshot {path}; run the tests with {UpdateVariable}=1 to write it.");
        Assert.Equal(NormalizeLineEndings(File.ReadAllText(path)), normalizedActual);
    }

    // A checkout on Windows may turn the snapshot's '\n' into "\r\n"; that is not a change in output.
    private static string NormalizeLineEndings(string text) => text.Replace("\r\n", "\n");
}
