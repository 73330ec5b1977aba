using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CoachService.Testing;

/// <summary>One request the <see cref="ScriptedChatClient"/> received.</summary>
public sealed record ChatRequest(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options);

/// <summary>
/// A hand-written <see cref="IChatClient"/> for tests: set <see cref="OnResponse"/> (and optionally
/// <see cref="OnStreamingResponse"/>) to script replies; every request is recorded in <see cref="Requests"/>.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly ConcurrentQueue<ChatRequest> _requests = new();

    /// <summary>Produces the reply of a request; by default an empty reply.</summary>
    public Func<ChatRequest, CancellationToken, Task<ChatResponse>> OnResponse { get; set; } =
        (_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Empty)));

    /// <summary>Produces a streamed reply; by default the <see cref="OnResponse"/> reply as updates.</summary>
    public Func<ChatRequest, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? OnStreamingResponse { get; set; }

    public IReadOnlyList<ChatRequest> Requests => [.. _requests];

    /// <summary>Replies with these texts in order, one per request (the last repeats).</summary>
    public static ScriptedChatClient Replying(params string[] texts)
    {
        var client = new ScriptedChatClient();
        var next = 0;
        client.OnResponse = (_, _) =>
        {
            var text = texts[Math.Min(Interlocked.Increment(ref next) - 1, texts.Length - 1)];
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                FinishReason = ChatFinishReason.Stop,
                ModelId = "scripted",
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 },
            });
        };
        return client;
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = Record(messages, options);
        return OnResponse(request, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = Record(messages, options);
        return OnStreamingResponse?.Invoke(request, cancellationToken) ?? StreamFromResponse(request, cancellationToken);
    }

    /// <summary>What the client says about itself; Semantic Kernel needs it to run a prompt function.</summary>
    public ChatClientMetadata Metadata { get; } = new("scripted", providerUri: null, defaultModelId: "scripted");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private ChatRequest Record(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = new ChatRequest([.. messages], options);
        _requests.Enqueue(request);
        return request;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamFromResponse(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await OnResponse(request, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }
}
