using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoachService.Cli.Recordings;

/// <summary>
/// One recorded conversation (a file in <c>recordings/</c>): what the user said, what the coach answered
/// and produced, and what produced it. The schema is documented in docs/recordings.md; any change that an
/// older reader would misread raises <see cref="CurrentSchemaVersion"/>.
/// </summary>
public sealed record ConversationRecording
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Stable name of the conversation, used by the checks file and the report.</summary>
    public required string Id { get; init; }

    public string? Title { get; init; }

    public DateTimeOffset? RecordedAt { get; init; }

    public RecordingSource? Source { get; init; }

    public required RecordedSession Session { get; init; }

    public required RecordedUser User { get; init; }

    public required IReadOnlyList<RecordedTurn> Turns { get; init; }
}

/// <summary>Where the recording came from; absent for conversations written by hand.</summary>
public sealed record RecordingSource(Guid? SessionId, bool Scrubbed);

/// <param name="Type">A session type of the service (face_to_face, spoken_presence, silent_reflection, written_clarity, onboarding_assessment).</param>
/// <param name="Voice">Spoken session: replies must be speakable.</param>
/// <param name="Completed">The session was ended, so its summary and goal suggestions were made at the last turn.</param>
public sealed record RecordedSession(string Type, string Persona, string Language, bool Voice, bool Completed)
{
    /// <summary>The session types that are spoken: their replies are heard, not read.</summary>
    public static bool IsVoice(string sessionType) => sessionType is "face_to_face" or "spoken_presence";
}

/// <summary>What the prompts know about the user at the start of the session.</summary>
public sealed record RecordedUser
{
    public string Name { get; init; } = "";

    public string? DiscType { get; init; }

    public int? EnneagramType { get; init; }

    public IReadOnlyList<string> ActiveGoals { get; init; } = [];

    /// <summary>Key insights of recent sessions, most important first.</summary>
    public IReadOnlyList<string> RecentInsights { get; init; } = [];
}

/// <summary>
/// One turn: the user's words and the coach's answer, with the structured outputs made for it. Structured
/// outputs are kept exactly as the prompt's JSON schema names them (snake_case), so the schema check reads them as is.
/// </summary>
public sealed record RecordedTurn
{
    /// <summary>1, 2, 3… in the conversation.</summary>
    public int Turn { get; init; }

    public required string User { get; init; }

    public required string Reply { get; init; }

    /// <summary>For a barge-in: the part of the reply the user heard (what the next turn's history holds).</summary>
    public string? Heard { get; init; }

    /// <summary>text, assessment_question or safety (the crisis reply).</summary>
    public string Kind { get; init; } = "text";

    public string? Model { get; init; }

    /// <summary>Task name to the content hash of the prompt file that produced its output.</summary>
    public IReadOnlyDictionary<string, string> PromptVersions { get; init; } = new Dictionary<string, string>();

    /// <summary>Task name to the SHA-256 of the rendered prompt messages.</summary>
    public IReadOnlyDictionary<string, string> PromptHashes { get; init; } = new Dictionary<string, string>();

    /// <summary>emotional_snapshot output: <c>{"emotions": [...]}</c>.</summary>
    public JsonElement? Snapshot { get; init; }

    /// <summary>safety_screen output, when the model screen ran.</summary>
    public JsonElement? Safety { get; init; }

    /// <summary>assessment_scoring output, at the end of onboarding.</summary>
    public JsonElement? Assessment { get; init; }

    /// <summary>session_summary output, at the end of a session.</summary>
    public JsonElement? Summary { get; init; }

    /// <summary>goal_suggestions output, at the end of a session.</summary>
    public JsonElement? Goals { get; init; }

    public IReadOnlyList<RecordedToolCall> ToolCalls { get; init; } = [];

    public RecordedUsage? Usage { get; init; }
}

/// <summary>A tool the coach called while replying, e.g. <c>goals.record_goal_progress</c>.</summary>
public sealed record RecordedToolCall(string Name, JsonElement? Arguments = null);

public sealed record RecordedUsage(long InputTokens, long OutputTokens, int? LatencyMs);

/// <summary>Reads and writes recordings; a malformed file is a <see cref="InputFileException"/> naming the file and field.</summary>
public static class RecordingFiles
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The recording files a path names: one file, or every <c>*.json</c> under a folder.</summary>
    public static IReadOnlyList<string> Find(string path) =>
        File.Exists(path) ? [Path.GetFullPath(path)]
        : Directory.Exists(path) ? [.. Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Where(f => !IsCheckFile(f)).Order(StringComparer.Ordinal)]
        : throw new InputFileException(path, "", "a recording file or a folder of them (nothing is there)");

    private static bool IsCheckFile(string file) => Path.GetFileName(file).StartsWith("checks", StringComparison.OrdinalIgnoreCase);

    public static ConversationRecording Read(string file)
    {
        ConversationRecording? recording;
        try
        {
            recording = JsonSerializer.Deserialize<ConversationRecording>(File.ReadAllText(file), Json);
        }
        catch (JsonException e)
        {
            throw new InputFileException(file, e.Path ?? "$", Expected(e), e.LineNumber + 1);
        }

        if (recording is null)
        {
            throw new InputFileException(file, "$", "a JSON object with schemaVersion, id, session, user and turns");
        }

        Validate(file, recording);
        return recording;
    }

    public static async Task WriteAsync(string file, ConversationRecording recording, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var temporary = file + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(recording, Json) + "\n", cancellationToken);
        File.Move(temporary, file, overwrite: true);
    }

    private static string Expected(JsonException e)
    {
        // System.Text.Json's own words after the path are the clearest statement of what was expected.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static void Validate(string file, ConversationRecording r)
    {
        if (r.SchemaVersion != ConversationRecording.CurrentSchemaVersion)
        {
            throw new InputFileException(file, "$.schemaVersion", $"{ConversationRecording.CurrentSchemaVersion} (this tool reads schema version {ConversationRecording.CurrentSchemaVersion}; the file has {r.SchemaVersion})");
        }

        if (string.IsNullOrWhiteSpace(r.Id))
        {
            throw new InputFileException(file, "$.id", "a non-empty conversation id");
        }

        if (!DomainValues.SessionTypes.Contains(r.Session.Type))
        {
            throw new InputFileException(file, "$.session.type", $"one of {string.Join(", ", DomainValues.SessionTypes)}");
        }

        if (!Profiles.CoachPersona.All.Contains(r.Session.Persona))
        {
            throw new InputFileException(file, "$.session.persona", $"one of {string.Join(", ", Profiles.CoachPersona.All)}");
        }

        if (!DomainValues.Languages.Contains(r.Session.Language))
        {
            throw new InputFileException(file, "$.session.language", $"one of {string.Join(", ", DomainValues.Languages)}");
        }

        if (r.Turns.Count == 0)
        {
            throw new InputFileException(file, "$.turns", "at least one turn");
        }

        for (var i = 0; i < r.Turns.Count; i++)
        {
            var turn = r.Turns[i];
            if (turn.Turn != i + 1)
            {
                throw new InputFileException(file, $"$.turns[{i}].turn", $"{i + 1} (turns are numbered 1, 2, 3… in order)");
            }

            if (string.IsNullOrWhiteSpace(turn.User))
            {
                throw new InputFileException(file, $"$.turns[{i}].user", "the user's words, not empty");
            }

            if (!DomainValues.MessageKinds.Contains(turn.Kind))
            {
                throw new InputFileException(file, $"$.turns[{i}].kind", $"one of {string.Join(", ", DomainValues.MessageKinds)}");
            }
        }
    }
}

/// <summary>A recording or checks file the tool cannot use: which file, which field, what was expected.</summary>
public sealed class InputFileException(string file, string field, string expected, long? line = null)
    : Exception($"{file}{(line is { } l ? $" (line {l})" : "")}: {(field.Length > 0 ? field + ": " : "")}expected {expected}")
{
    public string File { get; } = file;

    public string Field { get; } = field;
}
