using CrossDomain.Host.Device;

namespace CrossDomain.Host.Renderers;

/// <summary>Whether a library loads with every function its binding imports, and if not, why.</summary>
internal delegate bool LibraryLoadCheck(string library, out string? problem);

/// <summary>
/// A process-wide renderer library, probed once (load, initialise, read the capsets): every caller
/// gets the same instance, or the same reason there is none, and the reason is logged once.
/// </summary>
internal sealed class RendererProbe<T> where T : class
{
    private readonly Lock _lock = new();
    private T? _instance;
    private string? _problem;
    private bool _probed;

    /// <summary>The renderer, once a probe found it; null before that or when there is none.</summary>
    public T? Instance => Volatile.Read(ref _instance);

    /// <param name="library">The library asked for. Only <paramref name="boundLibrary"/> is bound, so
    /// any other name is a question about loading alone, answered without probing (tests name a missing one).</param>
    public T? Open(string library, string boundLibrary, LibraryLoadCheck tryLoad, Func<(T? Renderer, string? Problem)> probe,
        Action<string> logUnavailable, out string? problem)
    {
        if (library != boundLibrary)
        {
            problem = tryLoad(library, out string? loadProblem) ? $"{library} is not the bound library" : loadProblem;
            logUnavailable(problem!);
            return null;
        }
        lock (_lock)
        {
            if (!_probed)
            {
                _probed = true;
                (T? renderer, _problem) = probe();
                Volatile.Write(ref _instance, renderer);
                if (renderer is null) logUnavailable(_problem!);
            }
            problem = _problem;
            return _instance;
        }
    }
}
