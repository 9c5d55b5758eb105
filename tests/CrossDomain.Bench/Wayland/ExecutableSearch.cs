using System.Reflection;

namespace CrossDomain.Bench.Wayland;

/// <summary>Where the programs the bench starts are found.</summary>
internal static class ExecutableSearch
{
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// A project's executable built beside the bench: the bench project references the host and
    /// proxy projects, so their dlls and runtimeconfig files are copied into its output folder and
    /// run as `dotnet NAME.dll` with the configuration (Debug or Release) the bench was built in.
    /// </summary>
    public static string BesideBench(string assemblyName)
    {
        string dll = Path.Join(AppContext.BaseDirectory, assemblyName + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build tests/CrossDomain.Bench, which references its project", dll);
        return dll;
    }

    /// <summary>A native binary from artifacts/native (Directory.Build.props' NativeBinariesDirectory).</summary>
    public static string Native(string assemblyName)
    {
        string directory = typeof(ExecutableSearch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "NativeBinariesDirectory").Value!;
        string binary = Path.Join(directory, assemblyName);
        if (!File.Exists(binary))
            throw new FileNotFoundException($"{binary} is missing: publish it with `dotnet publish CrossDomain.Native.slnf -c Release`, or run the bench with --jit", binary);
        return binary;
    }

    /// <summary>The dotnet that runs this bench, to run the sibling dlls under the same runtime.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : null)
        ?? OnPath("dotnet") ?? "dotnet";
}
