using System.Text.Json;
using CoachService.Cli.Recordings;

namespace CoachService.Cli.Replay;

/// <summary>One model call of a turn: what ran, what it cost and how long it took.</summary>
public sealed record CallFacts(string Task, string? Model, string? PromptVersion, string? RenderedPromptHash, long InputTokens, long OutputTokens, double LatencyMs);

/// <summary>Everything one side (the baseline or the replay) produced for a turn, in the recording's shapes.</summary>
public sealed record TurnOutputs
{
    public required string Reply { get; init; }

    public string Kind { get; init; } = "text";

    /// <summary>False when the reply is not a model output of this side (the closing words of an onboarding are written by the service).</summary>
    public bool ReplyReplayed { get; init; } = true;

    public JsonElement? Snapshot { get; init; }

    public JsonElement? Safety { get; init; }

    public JsonElement? Assessment { get; init; }

    public JsonElement? Summary { get; init; }

    public JsonElement? Goals { get; init; }

    public IReadOnlyList<RecordedToolCall> ToolCalls { get; init; } = [];

    public IReadOnlyList<CallFacts> Calls { get; init; } = [];

    /// <summary>Prompts whose output could not be produced (invalid after repair, provider failure), with the reason.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    public long InputTokens => Calls.Sum(c => c.InputTokens);

    public long OutputTokens => Calls.Sum(c => c.OutputTokens);

    /// <summary>The structured output of a task, if this side has it.</summary>
    public JsonElement? Output(string task) => task switch
    {
        Llm.Tasks.CoachTask.EmotionalSnapshot => Snapshot,
        Llm.Tasks.CoachTask.SafetyScreen => Safety,
        Llm.Tasks.CoachTask.AssessmentScoring => Assessment,
        Llm.Tasks.CoachTask.SessionSummary => Summary,
        Llm.Tasks.CoachTask.GoalSuggestions => Goals,
        _ => null,
    };

    /// <summary>What the recording holds for a turn, as the baseline "recording".</summary>
    public static TurnOutputs FromRecording(RecordedTurn turn) => new()
    {
        Reply = turn.Reply,
        Kind = turn.Kind,
        Snapshot = turn.Snapshot,
        Safety = turn.Safety,
        Assessment = turn.Assessment,
        Summary = turn.Summary,
        Goals = turn.Goals,
        ToolCalls = turn.ToolCalls,
        Calls = [.. turn.PromptVersions.Select(p => new CallFacts(
            p.Key, turn.Model, p.Value, turn.PromptHashes.GetValueOrDefault(p.Key),
            IsReplyTask(p.Key) ? turn.Usage?.InputTokens ?? 0 : 0, IsReplyTask(p.Key) ? turn.Usage?.OutputTokens ?? 0 : 0,
            IsReplyTask(p.Key) ? turn.Usage?.LatencyMs ?? 0 : 0))],
    };

    private static bool IsReplyTask(string task) => task is Llm.Tasks.CoachTask.CoachReply or Llm.Tasks.CoachTask.AssessmentQuestion;
}
