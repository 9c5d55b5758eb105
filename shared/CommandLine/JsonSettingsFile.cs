using Microsoft.Extensions.Configuration;
using static CrossDomain.CommandLine.DisplayText;

namespace CrossDomain.CommandLine;

/// <summary>
/// One JSON config file, read and checked on its own before it joins the other layers, so that every
/// message about it can say which file (and which of our keys) is wrong.
/// </summary>
public static class JsonSettingsFile
{
    /// <param name="path">Absolute path of the file.</param>
    /// <param name="origin">How the file was named, for messages, e.g. "from --config".</param>
    public static IConfigurationRoot Load(string path, string origin, OptionTable table)
    {
        IConfigurationRoot file = Read(path, origin);
        RejectUnknownKeys(file, path, table);
        RejectInvalidValues(file, path, table);
        return file;
    }

    private static IConfigurationRoot Read(string path, string origin)
    {
        string where = $"config file {Quote(path)} ({origin})";
        if (Directory.Exists(path))
            throw new MisconfigurationException($"{where} is a directory");
        if (!File.Exists(path))
            throw new MisconfigurationException($"{where} does not exist");

        // Read the bytes ourselves instead of handing the path to AddJsonFile: its file provider hides
        // dot-files and can watch for changes, and its errors wrap the useful one two levels deep.
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MisconfigurationException($"cannot read {where}: {OneLine(exception.Message)}");
        }

        try
        {
            return new ConfigurationBuilder().AddJsonStream(new MemoryStream(content)).Build();
        }
        catch (Exception exception) when (exception is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new MisconfigurationException($"{where} cannot be parsed: {OneLine(Innermost(exception).Message)}");
        }
    }

    private static void RejectUnknownKeys(IConfigurationRoot file, string path, OptionTable table)
    {
        IConfigurationSection section = file.GetSection(table.OwnedSection);
        if (section.Value is not null)
            throw new MisconfigurationException(
                $"setting {Quote(section.Key)} in config file {Quote(path)} must be a JSON object of settings");
        foreach ((string key, string? value) in section.AsEnumerable())
        {
            // Keys without a value are the section itself and JSON objects; their leaves are checked.
            if (value is not null && !table.IsKnownConfigurationKey(key))
                throw new MisconfigurationException($"unknown setting {Quote(key)} in config file {Quote(path)}");
        }
    }

    /// <summary>
    /// Checks every option of the executable, not only the invoked command's: the file is bound as a
    /// whole, and a wrong value is worth fixing whichever command found it.
    /// </summary>
    private static void RejectInvalidValues(IConfigurationRoot file, string path, OptionTable table)
    {
        foreach (OptionDefinition option in table.Options)
        {
            if (option.ConfigurationKey is null || option.Rule is null)
                continue;
            string? value = file[option.ConfigurationKey];
            string? problem = value is null ? null : option.Rule.FindProblem(value);
            if (problem is not null)
                throw new MisconfigurationException(
                    $"invalid value {Quote(value!)} for {option.ConfigurationKey} in config file {Quote(path)}: {problem}");
        }
    }

    private static Exception Innermost(Exception exception) =>
        exception.InnerException is null ? exception : Innermost(exception.InnerException);
}
