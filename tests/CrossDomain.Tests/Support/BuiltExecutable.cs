using System.Reflection;

namespace CrossDomain.Tests.Support;

/// <summary>
/// Which build of crossdomain-host or crossdomain-proxy a test starts, and the command line that starts
/// it: the native binaries `dotnet publish` made in artifacts/native when
/// <see cref="NativeSwitch"/> is 1 (tests/run.sh publishes them and sets it), otherwise the
/// framework-dependent dlls beside the test assembly under <c>dotnet</c> (the test project references
/// both executable projects, so every build of the tests has them).
/// </summary>
/// <remarks>
/// The native binaries are not picked up merely because they exist: a publish from an hour ago would
/// then be tested in place of the code just built, and a targeted `dotnet test` would pass or fail on
/// stale code. Whoever sets the switch has published from the same tree.
/// </remarks>
public sealed record BuiltExecutable(string FileName, IReadOnlyList<string> LeadingArguments, bool IsNative)
{
    public const string NativeSwitch = "CROSSDOMAIN_TESTS_USE_NATIVE_BINARIES";

    public static bool UseNative => Environment.GetEnvironmentVariable(NativeSwitch) == "1";

    /// <summary>Where the executables publish to (Directory.Build.props' NativeBinariesDirectory).</summary>
    public static string NativeBinariesDirectory =>
        typeof(BuiltExecutable).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "NativeBinariesDirectory").Value!;

    /// <param name="dotnet">How to name dotnet for the framework-dependent build (a bare name is looked up on PATH by whoever execs it).</param>
    public static BuiltExecutable Find(string assemblyName, string dotnet) =>
        UseNative ? Native(assemblyName) : FrameworkDependent(assemblyName, dotnet);

    public static BuiltExecutable Native(string assemblyName)
    {
        string native = Path.Join(NativeBinariesDirectory, assemblyName);
        Assert.True(File.Exists(native), $"{native} is missing: publish it with `dotnet publish CrossDomain.Native.slnf -c Release`, as tests/run.sh does");
        return new BuiltExecutable(native, [], IsNative: true);
    }

    public static BuiltExecutable FrameworkDependent(string assemblyName, string dotnet)
    {
        string dll = Path.Join(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: is the executable project still referenced by the tests?");
        return new BuiltExecutable(dotnet, [dll], IsNative: false);
    }
}
