using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace CoachService.Llm.Offline;

/// <summary>The offline engine's next step in a reply that may use tools: call one, or say this.</summary>
internal sealed record OfflineToolStep(Microsoft.Extensions.AI.FunctionCallContent? Call, string? Text);

/// <summary>
/// How the offline engine uses the coach's tools, so the feature works without a model: a clear progress
/// statement about an active goal ("I ran three times this week" with a goal about running) or a stated
/// mood ("I feel 4 out of 5 today") becomes a function call when the request offers the tool, and once
/// the result is back the reply confirms it. Anything less clear gets the ordinary reply and no call.
/// </summary>
internal static partial class OfflineToolUse
{
    private const string ListGoals = "list_active_goals";
    private const string RecordProgress = "record_goal_progress";
    private const string LogMood = "log_mood";

    /// <summary>How much one reported session of work moves a goal's progress.</summary>
    private const int ProgressStep = 10;

    private static readonly Dictionary<string, string> IrregularPast = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ran"] = "run", ["swam"] = "swim", ["rode"] = "ride", ["did"] = "do", ["went"] = "go", ["wrote"] = "write",
        ["read"] = "read", ["slept"] = "sleep", ["ate"] = "eat", ["spoke"] = "speak", ["sat"] = "sit", ["drank"] = "drink",
    };

    private static readonly Dictionary<string, int> NumberWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8, ["nine"] = 9, ["ten"] = 10,
    };

    /// <summary>The next step, or null for an ordinary reply (no tool offered, or nothing clear to act on).</summary>
    public static OfflineToolStep? Next(string message, IReadOnlyList<string> activeGoals, IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        // First the confirmation: after the last allowed round trip the request offers no tools any more.
        var results = ResultsSinceLastUser(messages);
        if (results.LastOrDefault(r => r.Function.EndsWith(RecordProgress, StringComparison.Ordinal) || r.Function.EndsWith(LogMood, StringComparison.Ordinal)) is { } done)
        {
            return new OfflineToolStep(null, Confirmation(done));
        }

        var tools = options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        if (tools.Count == 0)
        {
            return null;
        }

        if (Tool(tools, LogMood) is { } logMood && Mood(message) is var (mood, intensity) && results.Count == 0)
        {
            return Call(logMood, new Dictionary<string, object?> { ["mood"] = mood, ["intensity"] = intensity });
        }

        if (Tool(tools, RecordProgress) is not { } record || Tool(tools, ListGoals) is not { } list || Activity(message) is not { } activity)
        {
            return null;
        }

        if (results.FirstOrDefault(r => r.Function.EndsWith(ListGoals, StringComparison.Ordinal)) is not { } listed)
        {
            // Only worth a round trip when one of the goals in the prompt is about this activity.
            return activeGoals.Any(g => IsAbout(g, activity)) ? Call(list, []) : null;
        }

        var goal = Goals(listed.Result).FirstOrDefault(g => IsAbout(g.Text, activity));
        return goal is null
            ? null
            : Call(record, new Dictionary<string, object?> { ["goalId"] = goal.Id, ["progressPercentage"] = Math.Min(100, goal.Progress + ProgressStep) });
    }

    private static OfflineToolStep Call(AIFunctionDeclaration tool, Dictionary<string, object?> arguments) =>
        new(new Microsoft.Extensions.AI.FunctionCallContent("offline-" + tool.Name, tool.Name, arguments), null);

    private static AIFunctionDeclaration? Tool(IEnumerable<AIFunctionDeclaration> tools, string function) =>
        tools.FirstOrDefault(t => t.Name == function || t.Name.EndsWith("_" + function, StringComparison.Ordinal) || t.Name.EndsWith("-" + function, StringComparison.Ordinal));

    private sealed record ToolResult(string Function, JsonElement Result);

    private sealed record ListedGoal(string Id, string Text, int Progress);

    /// <summary>The tool results of the current reply, with the function each answers.</summary>
    private static List<ToolResult> ResultsSinceLastUser(IReadOnlyList<ChatMessage> messages)
    {
        var lastUser = messages.Select((m, i) => (m, i)).LastOrDefault(x => x.m.Role == ChatRole.User).i;
        var calls = new Dictionary<string, string>(StringComparer.Ordinal);
        var results = new List<ToolResult>();
        foreach (var content in messages.Skip(lastUser).SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case Microsoft.Extensions.AI.FunctionCallContent call:
                    calls[call.CallId] = call.Name;
                    break;
                case Microsoft.Extensions.AI.FunctionResultContent result when calls.TryGetValue(result.CallId, out var name):
                    results.Add(new ToolResult(name, AsJson(result.Result)));
                    break;
            }
        }

        return results;
    }

    private static JsonElement AsJson(object? result) => result switch
    {
        JsonElement element => element,
        string text when text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[') => TryParse(text),
        _ => JsonSerializer.SerializeToElement(result),
    };

    private static JsonElement TryParse(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    private static IEnumerable<ListedGoal> Goals(JsonElement result) => result.ValueKind != JsonValueKind.Array
        ? []
        : result.EnumerateArray()
            .Where(g => g.ValueKind == JsonValueKind.Object)
            .Select(g => new ListedGoal(Text(g, "goal_id") ?? "", Text(g, "goal") ?? "", Number(g, "progress_percentage") ?? 0))
            .Where(g => g.Id.Length > 0);

    private static string Confirmation(ToolResult done)
    {
        var result = done.Result;
        var ok = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("ok", out var flag) && flag.ValueKind == JsonValueKind.True;
        if (!ok)
        {
            return "I could not note that down just now, but I heard you, and it counts. What would help you keep going?";
        }

        if (done.Function.EndsWith(LogMood, StringComparison.Ordinal))
        {
            return $"Thank you for checking in. I have logged your mood as {Text(result, "mood")}, {Number(result, "intensity")} out of 10. What is behind that today?";
        }

        var goal = result.GetProperty("goal");
        var progress = Number(goal, "progress_percentage") ?? 0;
        return progress >= 100
            ? $"That is wonderful. I have marked your goal \"{Text(goal, "goal")}\" as complete. How does it feel to get there?"
            : $"Nice work. I have noted that on your goal \"{Text(goal, "goal")}\": it is now at {progress} percent. What helped you keep at it?";
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : null;

    /// <summary>A stated rating like "4 out of 5" or "7/10" about how the user feels, as (mood, intensity 1..10).</summary>
    internal static (string Mood, int Intensity)? Mood(string message)
    {
        var match = Rating().Match(message);
        if (!match.Success || !FeelingWords().IsMatch(message) || Negated().IsMatch(message))
        {
            return null;
        }

        var value = ToNumber(match.Groups["value"].Value);
        var scale = ToNumber(match.Groups["scale"].Value);
        if (value is not { } v || scale is not (5 or 10) || v < 1 || v > scale)
        {
            return null;
        }

        var intensity = scale == 5 ? v * 2 : v;
        var mood = intensity switch
        {
            <= 2 => "very low",
            <= 4 => "low",
            <= 6 => "okay",
            <= 8 => "good",
            _ => "great",
        };
        return (mood, intensity);
    }

    /// <summary>The activity of a progress report ("I ran three times this week": "run"), or null.</summary>
    internal static string? Activity(string message)
    {
        if (Negated().IsMatch(message))
        {
            return null;
        }

        var match = ProgressReport().Match(message);
        if (!match.Success)
        {
            return null;
        }

        var verb = match.Groups["verb"].Value.ToLowerInvariant();
        if (IrregularPast.TryGetValue(verb, out var stem))
        {
            return stem;
        }

        // walked -> walk, meditated -> meditat (matches "meditate" and "meditation"), jogged -> jog.
        var regular = verb[..^2];
        return regular.Length > 2 && regular[^1] == regular[^2] ? regular[..^1] : regular;
    }

    private static bool IsAbout(string goal, string activity)
    {
        var words = Words().Matches(goal.ToLowerInvariant()).Select(m => m.Value);
        return words.Any(w => w.StartsWith(activity, StringComparison.Ordinal) || (activity == "run" && w is "ran" or "jog" or "jogging" or "5k" or "10k"));
    }

    private static int? ToNumber(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number
        : NumberWords.TryGetValue(text, out var word) ? word : null;

    [GeneratedRegex(@"\b(?<value>10|[0-9]|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:out of|/|of)\s*(?<scale>10|5|five|ten)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Rating();

    [GeneratedRegex(@"\b(feel|feeling|felt|mood|i'm|i am|doing)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FeelingWords();

    [GeneratedRegex(@"\b(not|never|didn't|did not|haven't|have not|couldn't|could not|wasn't|no)\b|n't\b", RegexOptions.IgnoreCase)]
    private static partial Regex Negated();

    [GeneratedRegex(@"\bI\s+(?:have\s+|'ve\s+|finally\s+|just\s+|actually\s+)*(?<verb>ran|swam|rode|did|went|wrote|read|slept|spoke|[a-z]{2,}ed)\b[^.?!]*\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|once|twice)\b[^.?!]*\b(?:times?|days?|km|miles?|minutes?|mins?|hours?|pages?|sessions?|mornings?|evenings?|week|today)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ProgressReport();

    [GeneratedRegex(@"[a-z0-9]+")]
    private static partial Regex Words();
}
