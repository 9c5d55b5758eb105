using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using CrossDomain.Wayland.Generator.Emit;
using CrossDomain.Wayland.Generator.Model;
using CrossDomain.Wayland.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CrossDomain.Wayland.Generator;

/// <summary>
/// Generates the protocol tables and the typed message code of CrossDomain.Wayland from the Wayland
/// protocol XML files. Which additional files are protocols, and which one lists the typed
/// messages, the project says through item metadata.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class WaylandProtocolGenerator : IIncrementalGenerator
{
    public const string ProtocolMetadataKey = "build_metadata.AdditionalFiles.WaylandProtocol";
    public const string TypedMessagesMetadataKey = "build_metadata.AdditionalFiles.WaylandTypedMessages";

    /// <summary>
    /// Optional MSBuild property (made visible with CompilerVisibleProperty) that moves the generated
    /// code to another namespace; tests use it to compile generated code next to the real tables.
    /// </summary>
    public const string NamespacePropertyKey = "build_property.WaylandProtocolNamespace";

    public const string RegistryHintName = RegistryEmitter.ClassName + ".g.cs";

    /// <summary>Step names for tests that check the incremental cache.</summary>
    public static class TrackingNames
    {
        public const string ProtocolModel = nameof(ProtocolModel);
        public const string TypedMessageList = nameof(TypedMessageList);
        public const string InterfaceDeclarations = nameof(InterfaceDeclarations);
    }

    private enum InputKind
    {
        Other,
        Protocol,
        TypedMessages,
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var classifiedFiles = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select((pair, _) => (Text: pair.Left, Kind: Classify(pair.Right.GetOptions(pair.Left))));

        var protocols = classifiedFiles
            .Where(file => file.Kind == InputKind.Protocol)
            .Select((file, cancellationToken) => ProtocolXmlParser.Parse(file.Text.Path, file.Text.GetText(cancellationToken), cancellationToken))
            .WithTrackingName(TrackingNames.ProtocolModel);

        var typedMessageList = classifiedFiles
            .Where(file => file.Kind == InputKind.TypedMessages)
            .Select((file, cancellationToken) => TypedMessageListParser.Parse(file.Text.Path, file.Text.GetText(cancellationToken), cancellationToken))
            .Collect()
            .Select((files, _) => MergeTypedMessageFiles(files))
            .WithTrackingName(TrackingNames.TypedMessageList);

        // Only the names decide what gets generated; keeping the line positions out of this input
        // means editing comments in the list does not regenerate every protocol file.
        var typedMessageKeys = typedMessageList
            .Select((list, _) => list.Entries.Select(entry => entry.Key).Distinct().OrderBy(key => key, StringComparer.Ordinal).ToEquatableArray());

        var targetNamespace = context.AnalyzerConfigOptionsProvider
            .Select((options, _) => options.GlobalOptions.TryGetValue(NamespacePropertyKey, out string? value) && !string.IsNullOrWhiteSpace(value)
                ? value.Trim()
                : FileHeader.ModelNamespace);

        var allProtocols = protocols.Collect();
        // Back to one item per file, now with a unique hint name each: going through the collected
        // set lets a file listed twice be dropped, while the per-item output below still reruns
        // only for the files whose model changed.
        var protocolsToEmit = allProtocols.SelectMany((files, _) => AssignHintNames(files));
        var declarations = allProtocols
            .Select((files, _) => files.SelectMany(file => file.Interfaces.Select(wlInterface => new InterfaceDeclaration(wlInterface.Name, file.Path))).ToEquatableArray())
            .WithTrackingName(TrackingNames.InterfaceDeclarations);
        var knownMessageKeys = allProtocols
            .Select((files, _) => files.SelectMany(file => file.Interfaces).SelectMany(MessageKeys).Distinct().ToEquatableArray());

        // Names only, sorted: which interfaces exist decides the references, and a change inside an
        // interface does not regenerate the other files.
        var declaredInterfaceNames = declarations
            .Select((interfaceDeclarations, _) => interfaceDeclarations.Select(declaration => declaration.Name).Distinct().OrderBy(name => name, StringComparer.Ordinal).ToEquatableArray());

        context.RegisterSourceOutput(
            protocolsToEmit.Combine(typedMessageKeys).Combine(targetNamespace).Combine(declaredInterfaceNames),
            static (output, input) =>
            {
                var (((file, typedKeys), ns), declared) = input;
                foreach (var diagnostic in file.Protocol.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic());
                output.AddSource(file.HintName, ProtocolEmitter.Emit(file.Protocol, Path.GetFileName(file.Protocol.Path), ns, typedKeys, declared));
            });

        context.RegisterSourceOutput(declarations.Combine(targetNamespace), static (output, input) =>
        {
            var (interfaceDeclarations, ns) = input;
            output.AddSource(RegistryHintName, RegistryEmitter.Emit(DistinctInterfaceNames(interfaceDeclarations, output), ns));
        });

        context.RegisterSourceOutput(typedMessageList.Combine(knownMessageKeys), static (output, input) =>
        {
            var (list, knownKeys) = input;
            foreach (var diagnostic in list.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic());
            var known = new HashSet<string>(knownKeys, StringComparer.Ordinal);
            foreach (var entry in list.Entries)
            {
                if (!known.Contains(entry.Key))
                    output.ReportDiagnostic(Diagnostic.Create(GeneratorDiagnostics.UnknownTypedMessage, entry.Location.ToLocation(), entry.Key));
            }
        });
    }

    private static InputKind Classify(AnalyzerConfigOptions options)
    {
        if (IsSet(options, ProtocolMetadataKey)) return InputKind.Protocol;
        if (IsSet(options, TypedMessagesMetadataKey)) return InputKind.TypedMessages;
        return InputKind.Other;
    }

    private static bool IsSet(AnalyzerConfigOptions options, string key)
        => options.TryGetValue(key, out string? value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static TypedMessageFileModel MergeTypedMessageFiles(ImmutableArray<TypedMessageFileModel> files)
        => new(
            files.SelectMany(file => file.Entries).ToEquatableArray(),
            files.SelectMany(file => file.Diagnostics).ToEquatableArray());

    private static IEnumerable<string> MessageKeys(InterfaceModel wlInterface)
        => wlInterface.Requests.Concat(wlInterface.Events).Select(message => wlInterface.Name + "." + message.Name);

    // Named after the XML file, as that is what a reader of the generated code looks for; a file
    // name that occurs twice (same name in two folders) gets a number so the names stay unique.
    // The same path listed twice is one file, generated once.
    private static IEnumerable<ProtocolToEmit> AssignHintNames(ImmutableArray<ProtocolFileModel> files)
    {
        var seenPaths = new HashSet<string>(StringComparer.Ordinal);
        var usedHintNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { RegistryHintName };
        foreach (var file in files)
        {
            if (!seenPaths.Add(file.Path)) continue;
            string baseName = Path.GetFileNameWithoutExtension(file.Path);
            string hintName = baseName + ".g.cs";
            for (int number = 2; !usedHintNames.Add(hintName); number++) hintName = $"{baseName}.{number}.g.cs";
            yield return new ProtocolToEmit(file, hintName);
        }
    }

    // Two files declaring one interface would give two classes of one name: the compiler reports
    // that, but not which XML files are to blame, so say it here and keep the registry well-formed.
    private static List<string> DistinctInterfaceNames(EquatableArray<InterfaceDeclaration> declarations, SourceProductionContext output)
    {
        var names = new List<string>();
        foreach (var group in declarations.GroupBy(declaration => declaration.Name, StringComparer.Ordinal))
        {
            names.Add(group.Key);
            var paths = group.Select(declaration => declaration.Path).Distinct().ToList();
            if (paths.Count > 1)
                output.ReportDiagnostic(Diagnostic.Create(GeneratorDiagnostics.DuplicateInterface, Location.None, group.Key, string.Join(", ", paths)));
        }
        return names;
    }
}
