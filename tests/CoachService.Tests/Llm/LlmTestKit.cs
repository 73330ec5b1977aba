using CoachService.Llm;
using CoachService.Llm.Tasks;
using Microsoft.Extensions.AI;

namespace CoachService.Tests.Llm;

/// <summary>Shared helpers: every await gets a timeout so a broken test fails instead of hanging.</summary>
internal static class LlmTestKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static List<ChatMessage> Conversation(string userText = "I feel stuck at work.") =>
        [new(ChatRole.System, "You are a kind coach."), new(ChatRole.User, userText)];

    public static ChatOptions ForTask(string task, ChatResponseFormat? format = null) => new()
    {
        ResponseFormat = format,
        AdditionalProperties = new AdditionalPropertiesDictionary { [CoachChatOptionKeys.Task] = task },
    };

    /// <summary>Reads a stream to its end, keeping what arrived before any failure in <paramref name="received"/>.</summary>
    public static async Task<List<ChatResponseUpdate>> CollectAsync(
        this IAsyncEnumerable<ChatResponseUpdate> updates, List<ChatResponseUpdate>? received = null, CancellationToken cancellationToken = default)
    {
        received ??= [];
        await using var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        while (await enumerator.MoveNextAsync().AsTask().WaitAsync(Timeout, CancellationToken.None))
        {
            received.Add(enumerator.Current);
        }

        return received;
    }

    public static string TextOf(IEnumerable<ChatResponseUpdate> updates) => string.Concat(updates.Select(u => u.Text));

    /// <summary>Fast back-off, generous timeouts: for tests on the real clock.</summary>
    public static LlmResilienceOptions FastResilience(int maxRetryAttempts = 3) => new()
    {
        MaxRetryAttempts = maxRetryAttempts,
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        FirstTokenTimeout = TimeSpan.FromSeconds(10),
        AttemptTimeout = TimeSpan.FromSeconds(15),
        TotalTimeout = TimeSpan.FromSeconds(30),
        MinimumThroughput = 100,
    };

    public static async Task<T> WithTimeout<T>(this Task<T> task) => await task.WaitAsync(Timeout);

    public static async Task WithTimeout(this Task task) => await task.WaitAsync(Timeout);
}

/// <summary>A hand-written inner client with settable callbacks, counting its calls.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private int _calls;

    public int Calls => _calls;

    public Func<IEnumerable<ChatMessage>, ChatOptions?, ChatResponse> Respond { get; set; } = (_, _) =>
        new ChatResponse(new ChatMessage(ChatRole.Assistant, "Take one small step today."))
        {
            ModelId = "scripted-model",
            ResponseId = "resp-1",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 6, TotalTokenCount = 36 },
        };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(Respond(messages, options));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var response = Respond(messages, options);
        foreach (var update in response.ToChatResponseUpdates())
        {
            await Task.Yield();
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "scripted-model") : null;

    public void Dispose()
    {
    }
}
