using CoachService.Testing;
using CoachService.Llm;
using CoachService.Llm.OpenAi;
using CoachService.Llm.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    /// <summary>AddCoachLlm alone, on these settings; <paramref name="configure"/> may add services first (a fake Entra ID credential).</summary>
    public static ServiceProvider Services(
        Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null, ILoggerProvider? logs = null, LogLevel minimumLevel = LogLevel.Trace)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging(b =>
        {
            b.SetMinimumLevel(minimumLevel);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        configure?.Invoke(services);
        return services.AddCoachLlm(configuration).BuildServiceProvider();
    }

    /// <summary>The provider end of the pipeline, as AddCoachLlm builds it for "openai": the guard over the SDK's client.</summary>
    public static IChatClient OpenAiProvider(Uri endpoint, string model, TimeProvider? time = null) =>
        new OpenAiGuardChatClient(
            ProviderChatClients.Create(new LlmOptions { Provider = LlmProviders.OpenAi, Endpoint = endpoint.ToString(), Model = model }, () => throw new InvalidOperationException("no Entra ID here")),
            time ?? TimeProvider.System);

    public static async Task<T> WithTimeout<T>(this Task<T> task) => await task.WaitAsync(Timeout);

    public static async Task WithTimeout(this Task task) => await task.WaitAsync(Timeout);
}

/// <summary>The shared scripted client, answering like a small model by default.</summary>
internal static class Scripted
{
    public static ScriptedChatClient Model() => new()
    {
        OnResponse = (_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Take one small step today."))
        {
            ModelId = "scripted-model",
            ResponseId = "resp-1",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 6, TotalTokenCount = 36 },
        }),
    };
}
