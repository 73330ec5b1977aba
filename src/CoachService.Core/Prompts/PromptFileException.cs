namespace CoachService.Prompts;

/// <summary>One problem of a prompt file, with the file (as shown to people) and the 1-based line (0: the whole file).</summary>
public sealed record PromptFileError(string File, int Line, string Reason)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Reason}" : $"{File}: {Reason}";
}

/// <summary>
/// A prompt file that cannot be used. The message lists every problem as <c>file:line: reason</c>,
/// so a broken file stops start-up with a message that says where to look.
/// </summary>
public sealed class PromptFileException(IReadOnlyList<PromptFileError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public PromptFileException(string file, int line, string reason)
        : this([new PromptFileError(file, line, reason)])
    {
    }

    public IReadOnlyList<PromptFileError> Errors { get; } = errors;
}
