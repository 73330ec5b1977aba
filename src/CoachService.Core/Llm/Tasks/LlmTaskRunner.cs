using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Json;
using CoachService.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CoachService.Llm.Tasks;

/// <summary>
/// Runs the LLM tasks: renders the task's prompt, sends it through <see cref="IChatClient"/> with the
/// prompt's model parameters and the task metadata, and for structured tasks validates the output
/// against the prompt's JSON schema (with one repair attempt) before anyone can store it.
/// </summary>
public sealed partial class LlmTaskRunner(IChatClient chatClient, PromptLibrary prompts, ILogger<LlmTaskRunner> logger)
{
    private static readonly JsonSerializerOptions OutputJson = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Streams the reply of a text task (<see cref="CoachTask.CoachReply"/>, <see cref="CoachTask.AssessmentQuestion"/>).</summary>
    /// <exception cref="ArgumentException">Unknown task, a structured task, or missing/unknown inputs.</exception>
    public IAsyncEnumerable<ChatResponseUpdate> StreamTextAsync(
        string task,
        IReadOnlyDictionary<string, object?> inputs,
        IReadOnlyList<ChatMessage>? history,
        CancellationToken cancellationToken) =>
        StartText(task, inputs, history, cancellationToken).Updates;

    /// <summary>Like <see cref="StreamTextAsync"/>, with the version of the prompt that rendered the request.</summary>
    public TextTaskStream StartText(
        string task,
        IReadOnlyDictionary<string, object?> inputs,
        IReadOnlyList<ChatMessage>? history,
        CancellationToken cancellationToken)
    {
        // Resolve and check eagerly, so a bad call fails when it is made rather than at the first MoveNext.
        var prompt = prompts.Get(task);
        if (prompt.IsStructured)
        {
            throw new ArgumentException($"Task '{task}' has a structured output; use {nameof(RunStructuredAsync)}.", nameof(task));
        }

        var messages = prompt.Render(inputs, history);
        return new TextTaskStream(prompt.Version, chatClient.GetStreamingResponseAsync(messages, CreateOptions(prompt, inputs), cancellationToken));
    }

    /// <summary>
    /// Runs a structured task and returns its output only once it passed the schema. An invalid first
    /// output gets one repair attempt that shows the model its output and the errors.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown task, a text task, the wrong <typeparamref name="T"/>, or missing/unknown inputs.</exception>
    /// <exception cref="LlmOutputInvalidException">No valid output.</exception>
    public async Task<StructuredResult<T>> RunStructuredAsync<T>(
        string task,
        IReadOnlyDictionary<string, object?> inputs,
        CancellationToken cancellationToken)
    {
        var prompt = prompts.Get(task);
        if (prompt.OutputSchema is not { } schema)
        {
            throw new ArgumentException($"Task '{task}' has a text output; use {nameof(StreamTextAsync)}.", nameof(task));
        }

        if (CoachTaskOutputs.Types.TryGetValue(task, out var expected) && expected != typeof(T))
        {
            throw new ArgumentException($"Task '{task}' produces {expected.Name}, not {typeof(T).Name}.", nameof(T));
        }

        var messages = prompt.Render(inputs).ToList();
        var options = CreateOptions(prompt, inputs);
        options.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, schemaName: task, schemaDescription: prompt.Description);

        var usage = new UsageDetails();
        var first = await chatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        AddUsage(usage, first.Usage);
        var (value, errors) = Evaluate<T>(prompt, first);
        if (value is not null)
        {
            return Result(value, prompt, first, usage, repaired: false);
        }

        LlmTaskLog.Repairing(logger, task, prompt.Version, errors.Count);
        messages.Add(new ChatMessage(ChatRole.Assistant, first.Text));
        messages.Add(new ChatMessage(ChatRole.User, RepairRequest(errors)));
        var second = await chatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        AddUsage(usage, second.Usage);
        (value, errors) = Evaluate<T>(prompt, second);
        if (value is not null)
        {
            return Result(value, prompt, second, usage, repaired: true);
        }

        LlmTaskLog.RepairFailed(logger, task, prompt.Version, string.Join("; ", errors));
        throw new LlmOutputInvalidException(task, errors);
    }

    /// <summary>The text of the repair request: our words and the validator's errors only.</summary>
    internal static string RepairRequest(IReadOnlyList<string> errors) =>
        "Your previous reply is not valid for the required JSON schema. The errors are:\n"
        + string.Join("\n", errors.Select(e => "- " + e))
        + "\nReply again with only the corrected JSON object: no prose, no code fences, no extra fields.";

    private static ChatOptions CreateOptions(PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs)
    {
        var parameters = prompt.Parameters;
        return new ChatOptions
        {
            Temperature = parameters.Temperature,
            MaxOutputTokens = parameters.MaxTokens,
            TopP = parameters.TopP,
            FrequencyPenalty = parameters.FrequencyPenalty,
            PresencePenalty = parameters.PresencePenalty,
            Seed = parameters.Seed,
            StopSequences = parameters.Stop?.ToList(),
            AdditionalProperties = new AdditionalPropertiesDictionary
            {
                [CoachChatOptionKeys.Task] = prompt.Name,
                [CoachChatOptionKeys.Inputs] = inputs,
                [CoachChatOptionKeys.PromptVersion] = prompt.Version,
            },
        };
    }

    /// <summary>The output as <typeparamref name="T"/> if it is valid, else the reasons it is not.</summary>
    private (T? Value, IReadOnlyList<string> Errors) Evaluate<T>(PromptTemplate prompt, ChatResponse response)
    {
        if (response.FinishReason == ChatFinishReason.ContentFilter || response.FinishReason == ChatFinishReason.Length)
        {
            var reason = response.FinishReason == ChatFinishReason.Length
                ? "the output was cut off at the token limit (finish reason: length)"
                : "the provider's content filter stopped the output (finish reason: content_filter)";
            LlmTaskLog.Stopped(logger, prompt.Name, prompt.Version, response.FinishReason.Value.Value);
            // Not worth a repair: the same request would be stopped the same way.
            throw new LlmOutputInvalidException(prompt.Name, [reason]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(StripCodeFence(response.Text));
        }
        catch (JsonException e)
        {
            return (default, [$"$: the reply is not a JSON value (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"]);
        }

        using (document)
        {
            var errors = JsonSchemaValidator.Validate(prompt.OutputSchema!.Value, document.RootElement);
            if (errors.Count > 0)
            {
                return (default, errors);
            }

            try
            {
                var value = document.RootElement.Deserialize<T>(OutputJson);
                if (value is null)
                {
                    return (default, ["$: the output is null"]);
                }

                var broken = CoachOutputRules.Check(value);
                return broken.Count > 0 ? (default, broken) : (value, []);
            }
            catch (JsonException e)
            {
                // The schema and the record disagree: a bug in the prompt file, reported without the output.
                return (default, [$"{e.Path ?? "$"}: the output does not fit {typeof(T).Name}"]);
            }
        }
    }

    private static StructuredResult<T> Result<T>(T value, PromptTemplate prompt, ChatResponse response, UsageDetails usage, bool repaired) =>
        new(value, prompt.Name, prompt.Version, response.ModelId, new LlmUsage(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0), repaired);

    private static void AddUsage(UsageDetails total, UsageDetails? usage)
    {
        if (usage is not null)
        {
            total.Add(usage);
        }
    }

    /// <summary>Models often wrap JSON in ```json fences although asked not to.</summary>
    internal static string StripCodeFence(string text)
    {
        var match = CodeFence().Match(text);
        return match.Success ? match.Groups["json"].Value : text.Trim();
    }

    [GeneratedRegex(@"^\s*```[A-Za-z]*[ \t]*\r?\n(?<json>.*?)\r?\n?```\s*$", RegexOptions.Singleline)]
    private static partial Regex CodeFence();
}
