using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace CoachService.Llm.Recording;

public enum ChatRecordingMode
{
    /// <summary>Always call the inner client and save its response.</summary>
    Record,

    /// <summary>Serve only recorded responses; never call the inner client; a missing one is an error.</summary>
    Replay,

    /// <summary>Serve a recorded response when there is one, else call the inner client and record it.</summary>
    CacheFirst,
}

/// <summary>
/// Records responses and serves them again by a stable hash of the request: the prompt-replay
/// tool and tests get real model output without calling the model.
/// </summary>
public sealed partial class RecordingChatClient(IChatClient innerClient, IChatRecordingStore store, ChatRecordingMode mode, TimeProvider? timeProvider = null)
    : DelegatingChatClient(innerClient)
{
    private readonly TimeProvider _timeProvider = timeProvider ?? TimeProvider.System;

    public ChatRecordingMode Mode { get; } = mode;

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var messageList = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var key = ComputeKey(messageList, options);
        if (await FindAsync(key, options, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            return ToResponse(recorded);
        }

        var response = await base.GetResponseAsync(messageList, options, cancellationToken).ConfigureAwait(false);
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>();
        await store.SaveAsync(
            Capture(key, options, response.ModelId, response.Text, response.FinishReason, response.Usage, response.ResponseId, calls),
            cancellationToken).ConfigureAwait(false);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var messageList = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var key = ComputeKey(messageList, options);
        if (await FindAsync(key, options, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            foreach (var update in ToUpdates(recorded))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }

            yield break;
        }

        var text = new StringBuilder();
        var calls = new List<FunctionCallContent>();
        UsageDetails? usage = null;
        ChatFinishReason? finishReason = null;
        string? model = null, responseId = null;
        await foreach (var update in base.GetStreamingResponseAsync(messageList, options, cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            model ??= update.ModelId;
            responseId ??= update.ResponseId;
            finishReason = update.FinishReason ?? finishReason;
            usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
            calls.AddRange(update.Contents.OfType<FunctionCallContent>());
            yield return update;
        }

        // Only a stream that ended normally is worth replaying.
        await store.SaveAsync(Capture(key, options, model, text.ToString(), finishReason, usage, responseId, calls), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// SHA-256 (hex) over what decides the answer: each message's role, text, tool calls and tool
    /// results, model, tools offered, response format and schema, sampling settings, task and prompt
    /// version. The template inputs object is left out on purpose: its text is already in the messages
    /// and its identity changes per call.
    /// </summary>
    public static string ComputeKey(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("messages");
            foreach (var message in messages)
            {
                json.WriteStartObject();
                json.WriteString("role", message.Role.Value);
                json.WriteString("text", message.Text);
                WriteToolContents(json, message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model", options?.ModelId);
            if (options?.Tools is { Count: > 0 } tools)
            {
                json.WriteStartArray("tools");
                foreach (var tool in tools)
                {
                    json.WriteStringValue(tool.Name);
                }

                json.WriteEndArray();
            }
            switch (options?.ResponseFormat)
            {
                case ChatResponseFormatJson format:
                    json.WriteString("format", "json");
                    json.WriteString("schema_name", format.SchemaName);
                    // Raw text of the schema: the same schema file gives the same key.
                    json.WriteString("schema", format.Schema?.GetRawText());
                    break;
                case ChatResponseFormatText:
                    json.WriteString("format", "text");
                    break;
            }

            json.WriteString("temperature", options?.Temperature?.ToString("R", CultureInfo.InvariantCulture));
            json.WriteString("top_p", options?.TopP?.ToString("R", CultureInfo.InvariantCulture));
            json.WriteString("max_output_tokens", options?.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture));
            json.WriteString("task", LlmRequestInfo.Task(options));
            json.WriteString("prompt_version", LlmRequestInfo.PromptVersion(options));
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>A tool call's name and arguments or a tool result, when the message has any (a tool round trip).</summary>
    private static void WriteToolContents(Utf8JsonWriter json, ChatMessage message)
    {
        var tools = message.Contents.Where(c => c is FunctionCallContent or FunctionResultContent).ToList();
        if (tools.Count == 0)
        {
            return;
        }

        json.WriteStartArray("tools");
        foreach (var content in tools)
        {
            json.WriteStartObject();
            switch (content)
            {
                case FunctionCallContent call:
                    json.WriteString("call", call.CallId);
                    json.WriteString("name", call.Name);
                    json.WriteString("arguments", Arguments(call));
                    break;
                case FunctionResultContent result:
                    json.WriteString("result_of", result.CallId);
                    json.WriteString("result", ResultText(result));
                    break;
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static string? ResultText(FunctionResultContent result)
    {
        try
        {
            return JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            // A result the serializer cannot write still identifies the request by its text.
            return result.Result?.ToString();
        }
    }

    private static string? Arguments(FunctionCallContent call) =>
        call.Arguments is null ? null : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions);

    private async ValueTask<ChatRecording?> FindAsync(string key, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (Mode == ChatRecordingMode.Record)
        {
            return null;
        }

        var recorded = await store.TryGetAsync(key, cancellationToken).ConfigureAwait(false);
        return recorded is null && Mode == ChatRecordingMode.Replay
            ? throw new LlmRecordingNotFoundException(key, LlmRequestInfo.Task(options))
            : recorded;
    }

    private ChatRecording Capture(
        string key, ChatOptions? options, string? model, string text, ChatFinishReason? finishReason, UsageDetails? usage, string? responseId,
        IEnumerable<FunctionCallContent> calls)
    {
        var recordedCalls = calls.Select(c => new RecordedCall(c.CallId, c.Name, Arguments(c))).ToList();
        return new(key, LlmRequestInfo.Task(options), model ?? options?.ModelId, text, finishReason?.Value,
            usage?.InputTokenCount, usage?.OutputTokenCount, responseId, _timeProvider.GetUtcNow(), recordedCalls.Count > 0 ? recordedCalls : null);
    }

    private static IEnumerable<AIContent> CallsOf(ChatRecording recorded) =>
        (recorded.Calls ?? []).Select(c => new FunctionCallContent(
            c.CallId, c.Name, c.Arguments is null ? null : JsonSerializer.Deserialize<Dictionary<string, object?>>(c.Arguments, AIJsonUtilities.DefaultOptions)));

    private static ChatResponse ToResponse(ChatRecording recorded)
    {
        var message = new ChatMessage(ChatRole.Assistant, recorded.Text);
        foreach (var call in CallsOf(recorded))
        {
            message.Contents.Add(call);
        }

        return new(message)
        {
            ResponseId = recorded.ResponseId,
            ModelId = recorded.ModelId,
            FinishReason = recorded.FinishReason is { } reason ? new ChatFinishReason(reason) : null,
            Usage = ToUsage(recorded),
        };
    }

    /// <summary>The recorded text as word-sized updates, then one closing update with the tool calls, finish reason and usage.</summary>
    private static IEnumerable<ChatResponseUpdate> ToUpdates(ChatRecording recorded)
    {
        foreach (Match word in WordPattern().Matches(recorded.Text))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, word.Value)
            {
                ResponseId = recorded.ResponseId,
                ModelId = recorded.ModelId,
            };
        }

        var last = new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = recorded.ResponseId,
            ModelId = recorded.ModelId,
            FinishReason = recorded.FinishReason is { } reason ? new ChatFinishReason(reason) : null,
        };
        foreach (var call in CallsOf(recorded))
        {
            last.Contents.Add(call);
        }

        if (ToUsage(recorded) is { } usage)
        {
            last.Contents.Add(new UsageContent(usage));
        }

        yield return last;
    }

    private static UsageDetails? ToUsage(ChatRecording recorded) =>
        recorded.InputTokens is null && recorded.OutputTokens is null
            ? null
            : new UsageDetails
            {
                InputTokenCount = recorded.InputTokens,
                OutputTokenCount = recorded.OutputTokens,
                TotalTokenCount = (recorded.InputTokens ?? 0) + (recorded.OutputTokens ?? 0),
            };

    // A word with the whitespace before it, so the updates concatenate back to the exact text.
    [GeneratedRegex(@"\s*\S+|\s+$", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();
}
