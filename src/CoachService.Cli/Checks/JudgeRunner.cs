using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using CoachService.Cli.Recordings;
using CoachService.Prompts;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoachService.Cli.Checks;

/// <summary>Output of a rubric prompt.</summary>
public sealed record JudgeVerdict(
    [property: JsonPropertyName("pass")] bool Pass,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>
/// Runs rubric prompts (a .prompty of their own, beside the checks file) as kernel functions of the replay's
/// kernel, through the same task runner, schema validation and response cache as every other prompt.
/// </summary>
public sealed class JudgeRunner(Replay.ReplayEngine engine, string checksFolder)
{
    private readonly ConcurrentDictionary<string, Llm.Tasks.LlmTaskRunner> _runners = new(StringComparer.Ordinal);

    public async Task<JudgeVerdict> JudgeAsync(string rubric, string message, string reply, CancellationToken cancellationToken)
    {
        var file = Path.GetFullPath(rubric, checksFolder);
        if (!File.Exists(file))
        {
            throw new InputFileException(file, "", "the rubric prompt file named by the checks file's judge check");
        }

        var runner = _runners.GetOrAdd(Path.GetDirectoryName(file)!, folder => engine.TasksFor(new PromptLibrary(folder, NullLogger<PromptLibrary>.Instance, required: [])));
        var result = await runner.RunStructuredAsync<JudgeVerdict>(
            Path.GetFileNameWithoutExtension(file), new Dictionary<string, object?> { ["message"] = message, ["reply"] = reply }, cancellationToken);
        return result.Value;
    }
}
