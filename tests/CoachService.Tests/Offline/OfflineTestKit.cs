using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json;
using CoachService.Llm.Offline;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using Microsoft.Extensions.AI;

namespace CoachService.Tests.Offline;

/// <summary>Builds offline-engine requests the way the task runner does, and awaits them with a timeout.</summary>
internal static class OfflineTestKit
{
    public static readonly TimeSpan AwaitLimit = TimeSpan.FromSeconds(10);

    public static OfflineChatClient Client(TimeSpan? wordDelay = null)
        => new(new OfflineEngineOptions { WordDelay = wordDelay ?? TimeSpan.Zero });

    public static ChatOptions Options(string task, IReadOnlyDictionary<string, object?> inputs) => new()
    {
        AdditionalProperties = new AdditionalPropertiesDictionary
        {
            [CoachChatOptionKeys.Task] = task,
            [CoachChatOptionKeys.Inputs] = inputs,
        },
    };

    public static List<ChatMessage> Prompt(string userText) =>
    [
        new(ChatRole.System, "You are a coach."),
        new(ChatRole.User, userText),
    ];

    public static async Task<ChatResponse> AskAsync(string task, IReadOnlyDictionary<string, object?> inputs, string userText = "")
        => await Client().GetResponseAsync(Prompt(userText), Options(task, inputs)).WaitAsync(AwaitLimit);

    public static async Task<string> TextAsync(string task, IReadOnlyDictionary<string, object?> inputs)
        => (await AskAsync(task, inputs)).Text;

    public static async Task<T> ResultAsync<T>(string task, IReadOnlyDictionary<string, object?> inputs)
    {
        var json = await TextAsync(task, inputs);
        AssertExactProperties(JsonDocument.Parse(json).RootElement, typeof(T));
        return JsonSerializer.Deserialize<T>(json) ?? throw new InvalidOperationException("null result");
    }

    public static Task<string> ReplyAsync(string message, string persona = CoachPersona.WarmFriend, string? disc = null, IEnumerable<string>? goals = null)
        => TextAsync(CoachTask.CoachReply, CoachReplyInputs(message, persona, disc, goals));

    public static Dictionary<string, object?> CoachReplyInputs(
        string message, string persona = CoachPersona.WarmFriend, string? disc = null, IEnumerable<string>? goals = null,
        string language = "en", int? enneagram = null, string name = "Sam") => new()
        {
            ["persona"] = persona,
            ["language"] = language,
            ["user_name"] = name,
            ["disc_type"] = disc,
            ["enneagram_type"] = enneagram,
            ["active_goals"] = goals?.ToList() ?? [],
            ["recent_insights"] = new List<string>(),
            ["message"] = message,
        };

    public static async Task<List<ChatResponseUpdate>> StreamAsync(OfflineChatClient client, string task, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt(string.Empty), Options(task, inputs), cancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    /// <summary>
    /// Every JSON object has exactly the properties named by the record's JsonPropertyName
    /// attributes: none missing (the schema requires all) and none extra (the schema forbids them).
    /// </summary>
    public static void AssertExactProperties(JsonElement element, Type recordType)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        var properties = recordType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => (Property: property, Name: property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(item => item.Name is not null)
            .ToList();
        var expected = properties.Select(item => item.Name!).OrderBy(name => name, StringComparer.Ordinal).ToList();
        var actual = element.EnumerateObject().Select(property => property.Name).OrderBy(name => name, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);

        foreach (var (property, name) in properties)
        {
            var value = element.GetProperty(name!);
            var type = property.PropertyType;
            if (IsRecord(type))
            {
                AssertExactProperties(value, type);
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && IsRecord(type.GetGenericArguments()[0]))
            {
                foreach (var item in value.EnumerateArray())
                {
                    AssertExactProperties(item, type.GetGenericArguments()[0]);
                }
            }
        }
    }

    private static bool IsRecord(Type type) => type.Namespace == typeof(CoachTask).Namespace && type.IsClass && type != typeof(string);
}
