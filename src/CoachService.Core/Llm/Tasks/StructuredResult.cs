using CoachService.Prompts;

namespace CoachService.Llm.Tasks;

/// <summary>Tokens a task used, summed over its attempts (zero when the provider does not say).</summary>
public sealed record LlmUsage(long InputTokens, long OutputTokens);

/// <summary>
/// A validated structured output and what produced it, so it can be stored with its provenance.
/// </summary>
/// <param name="Value">The output; it passed the prompt's JSON schema.</param>
/// <param name="PromptVersion">Content hash of the prompt file that produced it.</param>
/// <param name="ModelId">The model the provider reported, if any.</param>
/// <param name="Repaired">True when the first output was invalid and the repair attempt fixed it.</param>
public sealed record StructuredResult<T>(
    T Value,
    string Task,
    string PromptVersion,
    string? ModelId,
    LlmUsage Usage,
    bool Repaired)
{
    /// <summary>SHA-256 (hex) of the rendered prompt messages that produced the first output.</summary>
    public string? RenderedPromptHash { get; init; }
}

/// <summary>A text task's streamed updates and the version of the prompt that produced them.</summary>
/// <param name="Invocation">The run: its rendered prompt hash is set once the first update has arrived.</param>
public sealed record TextTaskStream(string PromptVersion, IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> Updates, TaskInvocation Invocation)
{
    /// <summary>SHA-256 (hex) of the rendered prompt messages; known once the stream has started (the prompt renders then).</summary>
    public string? RenderedPromptHash => Invocation.RenderedPromptHash;

    /// <summary>The shingles of the instructions the model was given: a reply that reads them back is stopped.</summary>
    public InstructionShingles Instructions { get; init; } = InstructionShingles.Empty;
}

/// <summary>
/// One of several independent structured calls: its result, or why there is none, worded for people so
/// that "the model's answer was invalid" and "the model service failed" stay apart.
/// </summary>
public sealed record TaskAttempt<T>(string Task, StructuredResult<T>? Result, string? Failure)
{
    public bool Succeeded => Result is not null;

    /// <summary>Runs the call and keeps its failure instead of throwing it, so the other calls' results are not lost.</summary>
    public static async Task<TaskAttempt<T>> RunAsync(string task, Func<Task<StructuredResult<T>>> call)
    {
        try
        {
            return new TaskAttempt<T>(task, await call().ConfigureAwait(false), null);
        }
        catch (LlmOutputInvalidException)
        {
            return new TaskAttempt<T>(task, null, "the model's answer was invalid");
        }
        catch (LlmException)
        {
            return new TaskAttempt<T>(task, null, "the model service failed");
        }
    }
}

/// <summary>
/// Some of several independent model calls failed. What succeeded is stored; doing the same again makes
/// only the calls still missing. The message names each failed part and how it failed.
/// </summary>
public sealed class IncompleteModelWorkException(string what, string retry, params (string Part, string? Failure)[] parts)
    : Exception($"{what} ({string.Join("; ", parts.Where(p => p.Failure is not null).Select(p => $"{p.Part}: {p.Failure}"))}); "
        + $"what worked is kept; {retry}");
