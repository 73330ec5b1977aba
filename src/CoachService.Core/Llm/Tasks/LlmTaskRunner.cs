using CoachService.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// Runs the LLM tasks as Semantic Kernel functions, one per prompt file: renders the task's prompt,
/// sends it through the kernel's chat client with the prompt's model parameters and the task metadata,
/// and for structured tasks validates the output against the prompt's JSON schema (with one repair
/// attempt) before anyone can store it. Each run gets its own <see cref="TaskInvocation"/> in a clone of
/// the kernel, where the prompt's function records the rendered prompt's hash and the plugins find the user.
/// </summary>
public sealed class LlmTaskRunner(Kernel kernel, PromptFunctions functions, ILogger<LlmTaskRunner> logger)
{
    /// <summary>Streams the reply of a text task (<see cref="CoachTask.CoachReply"/>, <see cref="CoachTask.AssessmentQuestion"/>).</summary>
    /// <exception cref="ArgumentException">Unknown task, a structured task, or missing/unknown inputs.</exception>
    public IAsyncEnumerable<ChatResponseUpdate> StreamTextAsync(
        string task,
        IReadOnlyDictionary<string, object?> inputs,
        IReadOnlyList<ChatMessage>? history,
        CancellationToken cancellationToken) =>
        StartText(task, inputs, history, actor: null, cancellationToken).Updates;

    /// <summary>Like <see cref="StreamTextAsync"/>, with the provenance of the request.</summary>
    public TextTaskStream StartText(
        string task,
        IReadOnlyDictionary<string, object?> inputs,
        IReadOnlyList<ChatMessage>? history,
        CancellationToken cancellationToken) =>
        StartText(task, inputs, history, actor: null, cancellationToken);

    /// <summary>
    /// Like <see cref="StreamTextAsync"/>. With an <paramref name="actor"/>, the coach's reply may call the
    /// coach's tools for that user (SK's automatic function calling, at most
    /// <see cref="CoachKernel.MaxToolRoundTrips"/> round trips); what they did is in <see cref="TaskActor.Actions"/>.
    /// </summary>
    public TextTaskStream StartText(
        string task,
        IReadOnlyDictionary<string, object?> inputs,
        IReadOnlyList<ChatMessage>? history,
        TaskActor? actor,
        CancellationToken cancellationToken)
    {
        // Resolve and check eagerly, so a bad call fails when it is made rather than at the first MoveNext.
        var (prompt, function) = functions.Get(task);
        if (prompt.IsStructured)
        {
            throw new ArgumentException($"Task '{task}' has a structured output; use {nameof(RunStructuredAsync)}.", nameof(task));
        }

        CheckArguments(prompt, inputs, history);
        var invocation = new TaskInvocation(prompt.Name, prompt.Version, actor);
        var settings = CoachPromptSettings.For(prompt, inputs, offerTools: actor is not null && task == CoachTask.CoachReply);
        var updates = function.InvokeStreamingAsync<ChatResponseUpdate>(KernelFor(invocation), Arguments(prompt, inputs, history, settings), cancellationToken);
        return new TextTaskStream(prompt.Version, updates, invocation) { Instructions = prompt.InstructionsFor(inputs) };
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
        var (prompt, function) = functions.Get(task);
        if (!prompt.IsStructured)
        {
            throw new ArgumentException($"Task '{task}' has a text output; use {nameof(StreamTextAsync)}.", nameof(task));
        }

        if (CoachTaskOutputs.Types.TryGetValue(task, out var expected) && expected != typeof(T))
        {
            throw new ArgumentException($"Task '{task}' produces {expected.Name}, not {typeof(T).Name}.", nameof(T));
        }

        CheckArguments(prompt, inputs, history: null);
        var invocation = new TaskInvocation(prompt.Name, prompt.Version, actor: null);
        var invocationKernel = KernelFor(invocation);
        var settings = CoachPromptSettings.For(prompt, inputs, offerTools: false);

        var usage = new UsageDetails();
        var result = await function.InvokeAsync(invocationKernel, Arguments(prompt, inputs, null, settings), cancellationToken).ConfigureAwait(false);
        var first = result.GetValue<ChatResponse>() ?? throw new LlmOutputInvalidException(task, ["$: the kernel returned no chat response"]);
        AddUsage(usage, first.Usage);
        var instructions = prompt.InstructionsFor(inputs);
        var (value, errors) = Evaluate<T>(prompt, instructions, first);
        if (value is not null)
        {
            return Result(value, prompt, invocation, first, usage, repaired: false);
        }

        // The repair is a follow-up of the same conversation, not a prompt of its own: it goes to the
        // kernel's chat client with the same options, after the messages the function rendered.
        LlmTaskLog.Repairing(logger, task, prompt.Version, errors.Count);
        var messages = RenderedPrompt.ForModel(prompt.Render(inputs));
        messages.Add(new ChatMessage(ChatRole.Assistant, first.Text));
        messages.Add(new ChatMessage(ChatRole.User, RepairRequest(errors)));
        var second = await invocationKernel.GetRequiredService<IChatClient>()
            .GetResponseAsync(messages, settings.ToChatOptions(invocationKernel), cancellationToken).ConfigureAwait(false);
        AddUsage(usage, second.Usage);
        (value, errors) = Evaluate<T>(prompt, instructions, second);
        if (value is not null)
        {
            return Result(value, prompt, invocation, second, usage, repaired: true);
        }

        LlmTaskLog.RepairFailed(logger, task, prompt.Version, string.Join("; ", errors));
        throw new LlmOutputInvalidException(task, errors);
    }

    private static void CheckArguments(PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, IReadOnlyList<ChatMessage>? history)
    {
        prompt.CheckInputs(inputs);
        if (history is { Count: > 0 } && prompt.HistoryInput is null)
        {
            throw new ArgumentException($"Prompt '{prompt.Name}' takes no chat history.", nameof(history));
        }
    }

    /// <summary>A clone of the kernel that carries this run's invocation (cheap: plugins and filters are shared).</summary>
    private Kernel KernelFor(TaskInvocation invocation)
    {
        var clone = kernel.Clone();
        clone.Data[TaskInvocation.DataKey] = invocation;
        return clone;
    }

    private static KernelArguments Arguments(
        PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, IReadOnlyList<ChatMessage>? history, CoachPromptSettings settings)
    {
        var arguments = new KernelArguments(settings);
        foreach (var (name, value) in inputs)
        {
            arguments[name] = value;
        }

        if (prompt.HistoryInput is { } historyInput)
        {
            arguments[historyInput] = history ?? [];
        }

        return arguments;
    }

    /// <summary>The text of the repair request: our words and the validator's errors only.</summary>
    internal static string RepairRequest(IReadOnlyList<string> errors) =>
        "Your previous reply is not valid for the required JSON schema. The errors are:\n"
        + string.Join("\n", errors.Select(e => "- " + e))
        + "\nReply again with only the corrected JSON object: no prose, no code fences, no extra fields.";

    /// <summary>The output as <typeparamref name="T"/> if it is valid, else the reasons it is not.</summary>
    private (T? Value, IReadOnlyList<string> Errors) Evaluate<T>(PromptTemplate prompt, InstructionShingles instructions, ChatResponse response)
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

        var text = response.Text;
        if (text.Length > StructuredOutputParser.MaxOutputLength)
        {
            // No model writes this within the task's token limit: a broken or hostile provider. Sending it
            // back in a repair request would bill it as input and parse it twice.
            LlmTaskLog.Oversized(logger, prompt.Name, prompt.Version, text.Length, StructuredOutputParser.MaxOutputLength);
            throw new LlmOutputInvalidException(prompt.Name, [StructuredOutputParser.OversizedError(text.Length)]);
        }

        return StructuredOutputParser.Evaluate<T>(prompt, text, instructions,
            path => LlmTaskLog.InstructionsReadBack(logger, prompt.Name, prompt.Version, path));
    }

    private static StructuredResult<T> Result<T>(T value, PromptTemplate prompt, TaskInvocation invocation, ChatResponse response, UsageDetails usage, bool repaired) =>
        new(value, prompt.Name, prompt.Version, response.ModelId, new LlmUsage(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0), repaired)
        {
            RenderedPromptHash = invocation.RenderedPromptHash,
        };

    private static void AddUsage(UsageDetails total, UsageDetails? usage)
    {
        if (usage is not null)
        {
            total.Add(usage);
        }
    }
}
