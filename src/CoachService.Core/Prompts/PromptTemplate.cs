using System.Collections;
using System.Text.Json;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using Microsoft.Extensions.AI;

namespace CoachService.Prompts;

/// <summary>The kind of value a prompt input takes.</summary>
public enum PromptInputType
{
    String,
    Integer,
    Number,
    Boolean,

    /// <summary>A list of values (our prompts use lists of strings).</summary>
    Array,

    /// <summary>The conversation so far, passed as chat messages, never rendered into text.</summary>
    ChatHistory,
}

/// <summary>Where an input's text comes from. User text may never appear in a <c>system:</c> section.</summary>
public enum PromptInputSource
{
    System,
    User,
}

/// <summary>A declared input of a prompt file.</summary>
public sealed record PromptInput(
    string Name,
    PromptInputType Type,
    PromptInputSource Source,
    string Description,
    IReadOnlyList<string>? AllowedValues,
    object? Sample,
    int Line);

/// <summary>The model parameters of a prompt file (<c>model.parameters</c>), all optional.</summary>
public sealed record PromptModelParameters(
    float? Temperature = null,
    int? MaxTokens = null,
    float? TopP = null,
    float? FrequencyPenalty = null,
    float? PresencePenalty = null,
    long? Seed = null,
    IReadOnlyList<string>? Stop = null);

/// <summary>A role section of the body, compiled on its own so rendered text can never start another section.</summary>
internal sealed record PromptSection(ChatRole Role, HandlebarsTemplate<object, object>? Template, int Line)
{
    /// <summary>True for the placeholder where the chat history goes.</summary>
    public bool IsHistory => Template is null;
}

/// <summary>
/// A parsed, validated prompt file: immutable and safe to share between threads. Use
/// <see cref="Render"/> to build the messages of one request.
/// </summary>
public sealed partial class PromptTemplate
{
    internal PromptTemplate(
        string name,
        string description,
        string version,
        string file,
        string source,
        PromptModelParameters parameters,
        IReadOnlyDictionary<string, PromptInput> inputs,
        JsonElement? outputSchema,
        IReadOnlyList<PromptSection> sections)
    {
        Name = name;
        Description = description;
        Version = version;
        File = file;
        Source = source;
        Parameters = parameters;
        Inputs = inputs;
        OutputSchema = outputSchema;
        Sections = sections;
        HistoryInput = inputs.Values.FirstOrDefault(i => i.Type == PromptInputType.ChatHistory)?.Name;
        // Only these can change the system sections: user text may not appear in them (PromptyFile checks).
        _systemInputs = [.. inputs.Values.Where(i => i.Source == PromptInputSource.System && i.Type != PromptInputType.ChatHistory).Select(i => i.Name)];
    }

    private const int MaxCachedInstructions = 256;
    private readonly string[] _systemInputs;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InstructionShingles> _instructions = new(StringComparer.Ordinal);

    /// <summary>The task name, equal to the file name without <c>.prompty</c>.</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>First 12 hex digits of the SHA-256 of the file bytes; recorded with every output.</summary>
    public string Version { get; }

    /// <summary>The file as shown in messages, e.g. <c>prompts/coach_reply.prompty</c>.</summary>
    public string File { get; }

    /// <summary>The file's text (LF line endings, no BOM): the template of the task's kernel function.</summary>
    public string Source { get; }

    public PromptModelParameters Parameters { get; }

    public IReadOnlyDictionary<string, PromptInput> Inputs { get; }

    /// <summary>The JSON schema of the output for structured tasks; null for text tasks.</summary>
    public JsonElement? OutputSchema { get; }

    public bool IsStructured => OutputSchema is not null;

    /// <summary>The name of the <c>chat_history</c> input, if the prompt takes the conversation so far.</summary>
    public string? HistoryInput { get; }

    internal IReadOnlyList<PromptSection> Sections { get; }

    /// <summary>
    /// Checks that <paramref name="inputs"/> holds exactly the declared inputs (the chat history is
    /// passed separately) with values of the declared types.
    /// </summary>
    /// <exception cref="ArgumentException">An input is missing, unknown or of the wrong type.</exception>
    public void CheckInputs(IReadOnlyDictionary<string, object?> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var name in inputs.Keys)
        {
            if (!Inputs.TryGetValue(name, out var declared))
            {
                throw new ArgumentException($"Prompt '{Name}' has no input '{name}'.", nameof(inputs));
            }

            if (declared.Type == PromptInputType.ChatHistory)
            {
                throw new ArgumentException($"Input '{name}' of prompt '{Name}' is the chat history; pass it as the history argument.", nameof(inputs));
            }
        }

        foreach (var declared in Inputs.Values.Where(i => i.Type != PromptInputType.ChatHistory))
        {
            if (!inputs.TryGetValue(declared.Name, out var value))
            {
                throw new ArgumentException($"Prompt '{Name}' needs the input '{declared.Name}'.", nameof(inputs));
            }

            if (!HasType(value, declared.Type))
            {
                throw new ArgumentException(
                    $"Input '{declared.Name}' of prompt '{Name}' must be of type {PromptyFile.TypeName(declared.Type)}.", nameof(inputs));
            }

            if (declared.AllowedValues is { } allowed && value is string text && !allowed.Contains(text))
            {
                throw new ArgumentException(
                    $"Input '{declared.Name}' of prompt '{Name}' must be one of: {string.Join(", ", allowed)}.", nameof(inputs));
            }
        }
    }

    /// <summary>
    /// Renders every role section with <paramref name="inputs"/> and puts <paramref name="history"/>
    /// at the history placeholder. Each section becomes one message of its own role whatever the
    /// rendered text contains, so user text cannot open a <c>system:</c> section.
    /// </summary>
    public IReadOnlyList<ChatMessage> Render(IReadOnlyDictionary<string, object?> inputs, IReadOnlyList<ChatMessage>? history = null)
    {
        CheckInputs(inputs);
        if (history is { Count: > 0 } && HistoryInput is null)
        {
            throw new ArgumentException($"Prompt '{Name}' takes no chat history.", nameof(history));
        }

        var context = new Dictionary<string, object?>(inputs, StringComparer.Ordinal);
        var messages = new List<ChatMessage>();
        foreach (var section in Sections)
        {
            if (section.IsHistory)
            {
                messages.AddRange(history ?? []);
                continue;
            }

            var text = Tidy(section.Template!(context));
            if (text.Length > 0)
            {
                messages.Add(new ChatMessage(section.Role, text));
            }
        }

        return messages;
    }

    /// <summary>
    /// The shingles of the instructions this prompt gives the model with <paramref name="inputs"/>: its
    /// <c>system:</c> sections as rendered. They depend only on the system inputs (persona, language…), so
    /// they are built once per version and combination of those, and shared.
    /// </summary>
    public InstructionShingles InstructionsFor(IReadOnlyDictionary<string, object?> inputs)
    {
        var key = string.Join('\u001f', _systemInputs.Select(name => KeyOf(inputs.GetValueOrDefault(name))));
        if (_instructions.TryGetValue(key, out var known))
        {
            return known;
        }

        var context = new Dictionary<string, object?>(inputs, StringComparer.Ordinal);
        var shingles = InstructionShingles.Of(Sections
            .Where(s => s.Role == ChatRole.System && !s.IsHistory)
            .Select(s => Tidy(s.Template!(context))));
        if (_instructions.Count >= MaxCachedInstructions)
        {
            _instructions.Clear(); // a bound, not a policy: the combinations in use come back at once
        }

        return _instructions.GetOrAdd(key, shingles);
    }

    private static string KeyOf(object? value) => value switch
    {
        null => "\u0000",
        string text => text,
        IEnumerable items => "[" + string.Join('\u001e', items.Cast<object?>().Select(KeyOf)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    internal static bool HasType(object? value, PromptInputType type) => value is null || type switch
    {
        PromptInputType.String => value is string,
        PromptInputType.Integer => value is int or long or short or byte or sbyte or ushort or uint,
        PromptInputType.Number => value is int or long or short or byte or sbyte or ushort or uint or ulong or float or double or decimal,
        PromptInputType.Boolean => value is bool,
        PromptInputType.Array => value is IEnumerable and not string and not IDictionary,
        _ => false,
    };

    // Block helpers on their own lines leave blank runs behind; a spoken or parsed prompt does not need them.
    private static string Tidy(string text) => BlankRuns().Replace(text.Replace("\r\n", "\n"), "\n\n").Trim();

    [GeneratedRegex(@"\n[ \t]*(\n[ \t]*){2,}")]
    private static partial Regex BlankRuns();
}
