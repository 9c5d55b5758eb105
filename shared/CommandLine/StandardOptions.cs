namespace CrossDomain.CommandLine;

/// <summary>The options every CrossDomain executable has, spelled and behaving the same in each.</summary>
public static class StandardOptions
{
    /// <summary>
    /// Logging's own key, not one of ours: appsettings.json users already write it, and the logging
    /// framework reads it directly, so there is one log level, not two that could disagree.
    /// </summary>
    public const string LogLevelConfigurationKey = "Logging:LogLevel:Default";

    public static OptionDefinition ConfigFile { get; } = OptionDefinition.BeforeConfiguration(
        "config", "FILE",
        "JSON config file read over appsettings.json (a relative path is taken from the working directory)",
        OptionValueRule.FilePath);

    public static OptionDefinition LogLevel { get; } = OptionDefinition.Setting(
        "log-level", "LEVEL",
        "least severe log messages to write",
        LogLevelConfigurationKey,
        OptionDefault.Fixed(nameof(Microsoft.Extensions.Logging.LogLevel.Information)),
        OptionValueRule.OneOf(Enum.GetNames<Microsoft.Extensions.Logging.LogLevel>()));

    public static OptionDefinition Help { get; } = OptionDefinition.Flag("help", "print this help and exit");

    public static OptionDefinition Version { get; } = OptionDefinition.Flag("version", "print the version and exit");
}
