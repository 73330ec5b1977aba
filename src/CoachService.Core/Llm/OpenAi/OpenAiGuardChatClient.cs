using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Sdk = OpenAI.Chat;

namespace CoachService.Llm.OpenAi;

/// <summary>
/// A thin decorator right over the SDK's <see cref="IChatClient"/> for what Microsoft.Extensions.AI.OpenAI
/// leaves to us: SDK and transport failures become <see cref="LlmProviderException"/>s carrying the
/// provider's Retry-After / retry-after-ms; a stream that ends without a finish reason is an error,
/// never a short success; updates that carry nothing (Azure's prompt-filter chunk, the role-only
/// opening chunk) are dropped so they do not pass for the first token; JSON-schema requests are
/// sent as strict structured output; and the SDK's own objects are taken off every update it passes
/// on (<see cref="Forget"/>).
/// </summary>
public sealed class OpenAiGuardChatClient(IChatClient innerClient, TimeProvider timeProvider) : DelegatingChatClient(innerClient)
{
    /// <summary>The key Microsoft.Extensions.AI.OpenAI reads from ChatOptions.AdditionalProperties for strict schemas.</summary>
    internal const string StrictSchemaKey = "strict";

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, Strict(options), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, Strict(options), cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }

        var finished = false;
        string? model = null;
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                var update = updates.Current;
                finished |= update.FinishReason is not null;

                // The library keeps the model of the first chunk, which is empty in Azure's prompt-filter chunk.
                model = NullIfEmpty(update.ModelId) ?? NullIfEmpty((update.RawRepresentation as Sdk.StreamingChatCompletionUpdate)?.Model) ?? model;
                update.ModelId = model;
                update.ResponseId = NullIfEmpty(update.ResponseId);
                update.MessageId = NullIfEmpty(update.MessageId);

                if (!IsEmpty(update))
                {
                    yield return Forget(update);
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

    /// <summary>
    /// Nothing for the caller: no text, no usage, no finish reason and no tool-call progress. Tool-call
    /// deltas stay: the library gathers them into one call at the end, but they are the model's output.
    /// </summary>
    private static bool IsEmpty(ChatResponseUpdate update) =>
        update.FinishReason is null
        && update.Contents.All(c => c is TextContent { Text: null or "" })
        && update.RawRepresentation is not Sdk.StreamingChatCompletionUpdate { ToolCallUpdates.Count: > 0 };

    /// <summary>
    /// Takes the SDK's objects (the chunk's <c>StreamingChatCompletionUpdate</c>, each text's content part) off
    /// an update and its contents once this guard has read them; nothing above reads them. The OpenTelemetry and
    /// function-invocation layers keep every update of a stream until it ends, and those objects are most of an
    /// update's size, so at a few hundred concurrent streams they were most of what each collection had to copy.
    /// </summary>
    internal static ChatResponseUpdate Forget(ChatResponseUpdate update)
    {
        update.RawRepresentation = null;
        foreach (var content in update.Contents)
        {
            content.RawRepresentation = null;
        }

        return update;
    }

    /// <summary>Our outputs are checked against their schema anyway: ask the model to keep to it.</summary>
    private static ChatOptions? Strict(ChatOptions? options)
    {
        if (options?.ResponseFormat is not ChatResponseFormatJson { Schema: not null }
            || options.AdditionalProperties?.ContainsKey(StrictSchemaKey) == true)
        {
            return options;
        }

        var strict = options.Clone();
        strict.AdditionalProperties ??= [];
        strict.AdditionalProperties[StrictSchemaKey] = true;
        return strict;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Turns SDK and transport failures into our exception types; null leaves the exception as it is.</summary>
    private LlmProviderException? Translate(Exception exception, CancellationToken cancellationToken)
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
        var retryAfter = response is null ? null : RetryAfterParser.Parse(response.Headers, timeProvider.GetUtcNow());
        var (detail, code) = response is null ? (null, null) : ReadError(response);
        var message = $"The LLM provider answered HTTP {status}"
            + (retryAfter is { } delay ? $" and asked to retry after {delay.TotalSeconds:0.###} s" : "")
            + (detail is null ? "." : $": {detail}");
        return new LlmProviderException(message, status, retryAfter, LlmProviderException.IsTransientStatus(status), exception)
        {
            // Azure OpenAI refuses a prompt its content filter flags with 400 and error code "content_filter".
            IsContentFilter = status == 400 && code == "content_filter",
        };
    }

    private static (string? Message, string? Code) ReadError(PipelineResponse response)
    {
        try
        {
            using var document = JsonDocument.Parse(response.Content);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var text = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : null;
                return (text is { Length: > 300 } ? text[..300] + "…" : text, code);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not an OpenAI-style error body; the status says enough.
        }

        return (null, null);
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
