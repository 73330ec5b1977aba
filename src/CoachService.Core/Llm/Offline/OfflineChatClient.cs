using Microsoft.Extensions.AI;

namespace CoachService.Llm.Offline;

/// <summary>Settings of the offline engine.</summary>
public sealed class OfflineEngineOptions
{
    /// <summary>Pause between streamed words, to behave like a model; zero in tests.</summary>
    public TimeSpan WordDelay { get; set; } = TimeSpan.FromMilliseconds(15);
}

/// <summary>
/// The deterministic, heuristic engine used when no LLM provider is configured.
/// It is not a language model. (Placeholder: filled in by the offline-engine work.)
/// </summary>
public sealed class OfflineChatClient(OfflineEngineOptions options) : IChatClient
{
    public OfflineEngineOptions Options { get; } = options;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
