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
}
