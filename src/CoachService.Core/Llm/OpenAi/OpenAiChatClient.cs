using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using Sdk = OpenAI.Chat;

namespace CoachService.Llm.OpenAi;

/// <summary>
/// Our <see cref="IChatClient"/> over the OpenAI SDK's chat client: the only place that sees an
/// OpenAI SDK type. Works against any OpenAI-compatible chat-completions endpoint.
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    /// <summary>Sent when no key is configured: local servers (Ollama, vLLM, LM Studio) ignore it, the SDK insists on one.</summary>
    public const string PlaceholderApiKey = "no-key";

    private readonly string _defaultModel;
    private readonly ApiKeyCredential _credential;
    private readonly OpenAIClientOptions _sdkOptions;
    private readonly TimeProvider _timeProvider;
    private readonly ChatClientMetadata _metadata;
    private readonly ConcurrentDictionary<string, Sdk.ChatClient> _clients = new(StringComparer.Ordinal);

    /// <param name="model">Default model (Azure: deployment name); a request's ChatOptions.ModelId overrides it.</param>
    /// <param name="endpoint">Base URL of the API, e.g. <c>http://localhost:11434/v1</c>; null for api.openai.com.</param>
    /// <param name="apiKey">Key; null or empty sends a placeholder.</param>
    /// <param name="timeProvider">Clock used to turn a Retry-After date into a delay.</param>
    public OpenAiChatClient(string model, Uri? endpoint = null, string? apiKey = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        _defaultModel = model;
        _credential = new ApiKeyCredential(string.IsNullOrWhiteSpace(apiKey) ? PlaceholderApiKey : apiKey);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _sdkOptions = new OpenAIClientOptions
        {
            // Exactly one retry/timeout layer, ours (ResilientChatClient): the SDK's would multiply
            // attempts and hide the delays and failures we want to see.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        if (endpoint is not null)
        {
            _sdkOptions.Endpoint = endpoint;
        }

        _metadata = new ChatClientMetadata("openai", endpoint ?? new Uri("https://api.openai.com/v1/"), model);
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        Sdk.ChatCompletion completion;
        try
        {
            completion = (await client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }

        var text = string.Concat(completion.Content.Where(p => p.Kind == Sdk.ChatMessageContentPartKind.Text).Select(p => p.Text));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ResponseId = NullIfEmpty(completion.Id),
            ModelId = NullIfEmpty(completion.Model),
            CreatedAt = completion.CreatedAt,
            FinishReason = MapFinishReason(completion.FinishReason),
            Usage = completion.Usage is { } usage ? MapUsage(usage) : null,
            RawRepresentation = completion,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        var updates = client.CompleteChatStreamingAsync(sdkMessages, sdkOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var finished = false;
        try
        {
            while (true)
            {
                Sdk.StreamingChatCompletionUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                finished |= update.FinishReason is not null;
                if (Map(update) is { } mapped)
                {
                    yield return mapped;
                }
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }

        // Every compatible server ends a complete stream with a finish reason. A stream that just
        // stops was cut off (a dropped connection can look like a clean end): never a short success.
        if (!finished)
        {
            throw new LlmProviderException("The LLM stream ended without a finish reason: the connection was closed early.", isTransient: true);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private (Sdk.ChatClient Client, List<Sdk.ChatMessage> Messages, Sdk.ChatCompletionOptions Options) Prepare(
        IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = string.IsNullOrWhiteSpace(options?.ModelId) ? _defaultModel : options.ModelId;
        var client = _clients.GetOrAdd(model, m => new Sdk.ChatClient(m, _credential, _sdkOptions));
        return (client, messages.Select(MapMessage).ToList(), MapOptions(options));
    }

    private static Sdk.ChatMessage MapMessage(ChatMessage message)
    {
        var role = message.Role;
        return role == ChatRole.System ? new Sdk.SystemChatMessage(message.Text)
            : role == ChatRole.User ? new Sdk.UserChatMessage(message.Text)
            : role == ChatRole.Assistant ? new Sdk.AssistantChatMessage(message.Text)
            : throw new NotSupportedException($"Chat role '{role.Value}' is not supported by the OpenAI adapter (the coach uses system, user and assistant only).");
    }

    private static Sdk.ChatCompletionOptions MapOptions(ChatOptions? options)
    {
        var sdk = new Sdk.ChatCompletionOptions();
        if (options is null)
        {
            return sdk;
        }

        sdk.Temperature = options.Temperature;
        sdk.TopP = options.TopP;
        sdk.MaxOutputTokenCount = options.MaxOutputTokens;
        sdk.FrequencyPenalty = options.FrequencyPenalty;
        sdk.PresencePenalty = options.PresencePenalty;
        foreach (var stop in options.StopSequences ?? [])
        {
            sdk.StopSequences.Add(stop);
        }

        sdk.ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } json => Sdk.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "response",
                BinaryData.FromString(schema.GetRawText()),
                json.SchemaDescription,
                jsonSchemaIsStrict: true),
            ChatResponseFormatJson => Sdk.ChatResponseFormat.CreateJsonObjectFormat(),
            _ => null,
        };
        return sdk;
    }

    private static ChatResponseUpdate? Map(Sdk.StreamingChatCompletionUpdate update)
    {
        var result = new ChatResponseUpdate
        {
            ResponseId = NullIfEmpty(update.CompletionId),
            MessageId = NullIfEmpty(update.CompletionId),
            ModelId = NullIfEmpty(update.Model),
            CreatedAt = update.CreatedAt == default ? null : update.CreatedAt,
            Role = ChatRole.Assistant,
            FinishReason = update.FinishReason is { } reason ? MapFinishReason(reason) : null,
            RawRepresentation = update,
        };
        foreach (var part in update.ContentUpdate)
        {
            if (part.Kind == Sdk.ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
            {
                result.Contents.Add(new TextContent(part.Text));
            }
        }

        if (update.Usage is { } usage)
        {
            result.Contents.Add(new UsageContent(MapUsage(usage)));
        }

        // Azure's first chunk (empty choices, prompt_filter_results) and the role-only opening chunk
        // carry nothing for the caller; passing them on would also count as a "first token".
        return result.Contents.Count == 0 && result.FinishReason is null ? null : result;
    }

    private static ChatFinishReason MapFinishReason(Sdk.ChatFinishReason reason) => reason switch
    {
        Sdk.ChatFinishReason.Length => ChatFinishReason.Length,
        Sdk.ChatFinishReason.ContentFilter => ChatFinishReason.ContentFilter,
        Sdk.ChatFinishReason.ToolCalls or Sdk.ChatFinishReason.FunctionCall => ChatFinishReason.ToolCalls,
        _ => ChatFinishReason.Stop,
    };

    private static UsageDetails MapUsage(Sdk.ChatTokenUsage usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Turns SDK and transport failures into our exception types; null leaves the exception as it is.</summary>
    private Exception? Translate(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return exception switch
        {
            ClientResultException { Status: > 0 } e => FromStatus(e),
            ClientResultException e => new LlmProviderException(
                $"Network failure talking to the LLM provider: {e.InnerException?.Message ?? e.Message}", isTransient: true, innerException: e),
            HttpRequestException or IOException => new LlmProviderException(
                $"Network failure talking to the LLM provider: {exception.Message}", isTransient: true, innerException: exception),
            JsonException or FormatException or KeyNotFoundException => new LlmProviderException(
                "The LLM provider sent a response that could not be read (malformed JSON).", innerException: exception),
            _ => null,
        };
    }

    private LlmProviderException FromStatus(ClientResultException exception)
    {
        var status = exception.Status;
        var response = exception.GetRawResponse();
        var retryAfter = response is null ? null : RetryAfterParser.Parse(response.Headers, _timeProvider.GetUtcNow());
        var detail = response is null ? null : ReadErrorMessage(response);
        var message = $"The LLM provider answered HTTP {status}"
            + (retryAfter is { } delay ? $" and asked to retry after {delay.TotalSeconds:0.###} s" : "")
            + (detail is null ? "." : $": {detail}");
        return new LlmProviderException(message, status, retryAfter, LlmProviderException.IsTransientStatus(status), exception);
    }

    private static string? ReadErrorMessage(PipelineResponse response)
    {
        try
        {
            using var document = JsonDocument.Parse(response.Content);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                var text = message.GetString() ?? "";
                return text.Length > 300 ? text[..300] + "…" : text;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not an OpenAI-style error body; the status says enough.
        }

        return null;
    }
}

/// <summary>Reads how long a provider asked us to wait.</summary>
internal static class RetryAfterParser
{
    /// <summary>Azure's <c>retry-after-ms</c> first (more precise), then <c>Retry-After</c> as seconds or an HTTP date.</summary>
    public static TimeSpan? Parse(PipelineResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (headers.TryGetValue("Retry-After", out var value) && value is not null)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var delay = date - now;
                return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
            }
        }

        return null;
    }
}
