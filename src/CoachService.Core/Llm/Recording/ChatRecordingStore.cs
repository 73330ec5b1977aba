using System.Collections.Concurrent;
using System.Text.Json;

namespace CoachService.Llm.Recording;

/// <summary>One recorded LLM response, everything needed to serve it again.</summary>
/// <param name="Calls">The tool calls the model asked for, in order; null when none.</param>
public sealed record ChatRecording(
    string Key,
    string? Task,
    string? ModelId,
    string Text,
    string? FinishReason,
    long? InputTokens,
    long? OutputTokens,
    string? ResponseId,
    DateTimeOffset RecordedAt,
    IReadOnlyList<RecordedCall>? Calls = null);

/// <summary>A tool call in a recorded response: its id, the function's name and the arguments as JSON.</summary>
public sealed record RecordedCall(string CallId, string Name, string? Arguments);

/// <summary>Where <see cref="RecordingChatClient"/> keeps its recordings.</summary>
public interface IChatRecordingStore
{
    ValueTask<ChatRecording?> TryGetAsync(string key, CancellationToken cancellationToken = default);

    ValueTask SaveAsync(ChatRecording recording, CancellationToken cancellationToken = default);
}

public sealed class InMemoryChatRecordingStore : IChatRecordingStore
{
    private readonly ConcurrentDictionary<string, ChatRecording> _recordings = new(StringComparer.Ordinal);

    public int Count => _recordings.Count;

    public ValueTask<ChatRecording?> TryGetAsync(string key, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_recordings.GetValueOrDefault(key));

    public ValueTask SaveAsync(ChatRecording recording, CancellationToken cancellationToken = default)
    {
        _recordings[recording.Key] = recording;
        return ValueTask.CompletedTask;
    }
}

/// <summary>One JSON file per key in a folder, so recordings can be checked in and reviewed as diffs.</summary>
public sealed class FileChatRecordingStore(string folder) : IChatRecordingStore
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Folder { get; } = folder;

    public async ValueTask<ChatRecording?> TryGetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<ChatRecording>(stream, JsonOptions, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SaveAsync(ChatRecording recording, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Folder);
        var path = PathOf(recording.Key);

        // Write then rename, so a reader never sees half a file.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, recording, JsonOptions, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private string PathOf(string key)
    {
        // Keys are hex SHA-256; refuse anything that could leave the folder.
        if (key.Length == 0 || !key.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("A recording key is a hexadecimal hash.", nameof(key));
        }

        return Path.Combine(Folder, key + ".json");
    }
}
