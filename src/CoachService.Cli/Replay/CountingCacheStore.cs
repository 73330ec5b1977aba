using CoachService.Llm.Recording;

namespace CoachService.Cli.Replay;

/// <summary>
/// The replay's response cache: the recording layer's file store (one JSON file per request key, written
/// then renamed, so an interrupted run never leaves half an entry), counting hits and misses. With the
/// cache bypassed it finds nothing and keeps nothing, so every call reaches the provider.
/// </summary>
public sealed class CountingCacheStore(IChatRecordingStore? files) : IChatRecordingStore
{
    private int _hits, _misses;

    public int Hits => _hits;

    public int Misses => _misses;

    public async ValueTask<ChatRecording?> TryGetAsync(string key, CancellationToken cancellationToken = default)
    {
        var found = files is null ? null : await files.TryGetAsync(key, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref found is null ? ref _misses : ref _hits);
        return found;
    }

    public ValueTask SaveAsync(ChatRecording recording, CancellationToken cancellationToken = default) =>
        files?.SaveAsync(recording, cancellationToken) ?? ValueTask.CompletedTask;
}
