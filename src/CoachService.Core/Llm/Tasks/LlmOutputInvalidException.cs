namespace CoachService.Llm.Tasks;

/// <summary>
/// A structured task produced no valid output: it failed its schema twice (first output and the
/// repair), or the provider stopped it (content filter, length). The message names the task and
/// the validation errors; it never contains user text or the model's output.
/// </summary>
public sealed class LlmOutputInvalidException(string task, IReadOnlyList<string> errors)
    : Exception($"The model's output for task '{task}' is invalid:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Select(e => "- " + e))}")
{
    public string Task { get; } = task;

    public IReadOnlyList<string> Errors { get; } = errors;
}
