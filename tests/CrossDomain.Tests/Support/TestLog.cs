using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Tests.Support;

/// <summary>
/// The log of the services tests run in-process: nothing by default; with CROSSDOMAIN_TEST_LOG=1
/// everything down to debug on the console, for looking into a failing test.
/// </summary>
public static class TestLog
{
    public static ILoggerFactory Factory { get; } = Environment.GetEnvironmentVariable("CROSSDOMAIN_TEST_LOG") == "1"
        ? LoggerFactory.Create(builder => builder.AddSimpleConsole(options => options.SingleLine = true).SetMinimumLevel(LogLevel.Debug))
        : NullLoggerFactory.Instance;
}
