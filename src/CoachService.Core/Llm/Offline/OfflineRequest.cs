using System.Collections;
using System.Globalization;
using System.Text.Json;
using CoachService.Llm.Tasks;
using Microsoft.Extensions.AI;

namespace CoachService.Llm.Offline;

/// <summary>
/// One request as the offline engine sees it: the task and the prompt's inputs, read from
/// <see cref="ChatOptions.AdditionalProperties"/>, with the last user message as the
/// fallback for any text input that is missing.
/// </summary>
internal sealed class OfflineRequest
{
    private readonly IReadOnlyDictionary<string, object?> inputs;

    private OfflineRequest(string task, IReadOnlyDictionary<string, object?> inputs, string lastUserText, IReadOnlyList<ConversationTurn> history)
    {
        Task = task;
        this.inputs = inputs;
        LastUserText = lastUserText;
        History = history;
    }

    public string Task { get; }

    public string LastUserText { get; }

    /// <summary>The user and assistant messages before the last user message (the rendered prompt's chat history).</summary>
    public IReadOnlyList<ConversationTurn> History { get; }

    /// <summary>
    /// The task named in the options; else the task whose name is the JSON schema name of the
    /// requested response format; else a coach reply, which is what a plain chat call wants.
    /// </summary>
    public static OfflineRequest From(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var properties = options?.AdditionalProperties;
        var named = properties is not null && properties.TryGetValue(CoachChatOptionKeys.Task, out var value) ? AsText(value) : null;
        var schemaName = (options?.ResponseFormat as ChatResponseFormatJson)?.SchemaName;
        var task = CoachTask.All.FirstOrDefault(known => known == named?.Trim())
            ?? CoachTask.All.FirstOrDefault(known => known == schemaName)
            ?? CoachTask.CoachReply;

        var inputs = properties is not null && properties.TryGetValue(CoachChatOptionKeys.Inputs, out var raw) ? ReadInputs(raw) : new Dictionary<string, object?>();
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var lastUserIndex = -1;
        for (var i = list.Count - 1; i >= 0 && lastUserIndex < 0; i--)
        {
            lastUserIndex = list[i].Role == ChatRole.User ? i : -1;
        }

        var lastUser = lastUserIndex >= 0 ? list[lastUserIndex].Text ?? string.Empty : string.Empty;
        var history = list.Take(Math.Max(0, lastUserIndex))
            .Where(message => message.Role == ChatRole.User || message.Role == ChatRole.Assistant)
            .Select(message => new ConversationTurn(message.Role == ChatRole.User, message.Text ?? string.Empty))
            .ToList();
        return new OfflineRequest(task, inputs, lastUser, history);
    }

    /// <summary>The input as text, or the last user message when it is absent.</summary>
    public string TextOrLastUser(string key) => Text(key) ?? LastUserText;

    public string? Text(string key) => inputs.TryGetValue(key, out var value) ? AsText(value) : null;

    public int? Number(string key)
    {
        var text = Text(key);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    public IReadOnlyList<string> List(string key) => inputs.TryGetValue(key, out var value) ? AsList(value) : [];

    private static Dictionary<string, object?> ReadInputs(object? raw)
    {
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        switch (raw)
        {
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (key, value) in pairs)
                {
                    result[key] = value;
                }

                break;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    result[entry.Key.ToString() ?? string.Empty] = entry.Value;
                }

                break;
            case JsonElement { ValueKind: JsonValueKind.Object } element:
                foreach (var property in element.EnumerateObject())
                {
                    result[property.Name] = property.Value;
                }

                break;
        }

        return result;
    }

    private static string? AsText(object? value) => value switch
    {
        null => null,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        JsonElement { ValueKind: JsonValueKind.Array } element => string.Join('\n', AsList(element)),
        JsonElement element => element.GetRawText(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => string.Join('\n', AsList(items)),
        _ => value.ToString(),
    };

    private static List<string> AsList(object? value) => value switch
    {
        null => [],
        string text => text.Length == 0 ? [] : [text],
        JsonElement { ValueKind: JsonValueKind.Array } element => [.. element.EnumerateArray().Select(item => AsText(item)).OfType<string>().Where(item => item.Length > 0)],
        JsonElement element => AsText(element) is { Length: > 0 } text ? [text] : [],
        IEnumerable items => [.. items.Cast<object?>().Select(AsText).OfType<string>().Where(item => item.Length > 0)],
        _ => AsText(value) is { Length: > 0 } text ? [text] : [],
    };
}
