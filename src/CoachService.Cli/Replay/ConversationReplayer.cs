using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CoachService.Cli.Recordings;
using CoachService.Conversations;
using CoachService.Goals;
using CoachService.Llm;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using Microsoft.Extensions.AI;

namespace CoachService.Cli.Replay;

/// <summary>
/// Replays a recording in pinned mode: each turn runs again through the engine's prompts with the
/// recorded history up to that turn, as the turn orchestrator runs it (local crisis screen, reply or
/// assessment question with the model safety screen, emotional snapshot; at the end of a session its
/// summary and goal suggestions; at the end of an onboarding its scoring).
/// </summary>
public sealed class ConversationReplayer(ReplayEngine engine)
{
    private static readonly JsonSerializerOptions OutputJson = new();

    /// <summary>Prompts a turn of this recording needs that the engine's folder does not have.</summary>
    public IReadOnlyList<string> MissingPrompts(ConversationRecording recording)
    {
        var onboarding = IsOnboarding(recording);
        var ending = onboarding ? recording.Turns.Any(t => t.Assessment is not null) : recording.Session.Completed;
        string[] endTasks = ending ? [CoachTask.SessionSummary, CoachTask.GoalSuggestions, .. onboarding ? [CoachTask.AssessmentScoring] : Array.Empty<string>()] : [];
        var needed = recording.Turns.SelectMany(t => t.PromptVersions.Keys)
            .Append(onboarding ? CoachTask.AssessmentQuestion : CoachTask.CoachReply)
            .Concat([CoachTask.SafetyScreen, CoachTask.EmotionalSnapshot, .. endTasks])
            .Distinct(StringComparer.Ordinal);
        var have = engine.Prompts.All.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return [.. needed.Where(n => !have.Contains(n)).Order(StringComparer.Ordinal)];
    }

    /// <param name="scoreFromTurn">For an onboarding, also score the assessment after each turn from this one (the profile-stability check).</param>
    public async Task<TurnOutputs> ReplayTurnAsync(ConversationRecording recording, int index, int? scoreFromTurn, CancellationToken cancellationToken)
    {
        var turn = recording.Turns[index];
        var history = History(recording, index);
        var calls = new List<CallFacts>();
        var failures = new List<string>();
        var outputs = new TurnOutputs { Reply = "" };

        var local = engine.CrisisScreen.Screen(turn.User);
        if (local.IsCrisis)
        {
            // Production answers at once with the fixed crisis reply and asks no model.
            return outputs with
            {
                Reply = engine.Coaching.CrisisReply,
                Kind = "safety",
                Safety = JsonSerializer.SerializeToElement(new SafetyScreenResult(local.RiskLevel, true, local.Categories, local.Rationale), OutputJson),
            };
        }

        var transcriptSoFar = Transcript(recording, index, includeLastReply: false);
        if (turn.Assessment is not null && IsOnboarding(recording))
        {
            // The end of onboarding: its closing words are the service's, the three tasks are the model's.
            outputs = outputs with { Reply = turn.Reply, Kind = turn.Kind, ReplyReplayed = false };
            outputs = outputs with
            {
                Assessment = await StructuredAsync<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, new() { ["transcript"] = transcriptSoFar }, calls, failures, cancellationToken),
                Summary = await StructuredAsync<SessionSummaryResult>(CoachTask.SessionSummary, new() { ["persona"] = recording.Session.Persona, ["transcript"] = transcriptSoFar }, calls, failures, cancellationToken),
                Goals = await StructuredAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new() { ["transcript"] = transcriptSoFar, ["active_goals"] = Array.Empty<string>() }, calls, failures, cancellationToken),
            };
        }
        else
        {
            var assessing = IsOnboarding(recording) && turn.Kind == "assessment_question";
            var task = assessing ? CoachTask.AssessmentQuestion : CoachTask.CoachReply;
            var tools = task == CoachTask.CoachReply ? engine.Tools.Begin(recording.User.ActiveGoals) : null;
            var (reply, facts) = await ReplyAsync(task, Inputs(recording, index, assessing), history, tools is not null, cancellationToken);
            calls.Add(facts);
            var safety = await StructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, new() { ["message"] = turn.User }, calls, failures, cancellationToken);
            var crisis = safety is { } s && s.GetProperty("is_crisis").GetBoolean();
            outputs = outputs with
            {
                Reply = crisis ? engine.Coaching.CrisisReply : reply,
                Kind = crisis ? "safety" : assessing ? "assessment_question" : "text",
                Safety = safety,
                ToolCalls = tools?.Calls ?? [],
            };
            if (assessing && scoreFromTurn is { } from && turn.Turn >= from)
            {
                outputs = outputs with
                {
                    Assessment = await StructuredAsync<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, new() { ["transcript"] = transcriptSoFar }, calls, failures, cancellationToken),
                };
            }
        }

        outputs = outputs with
        {
            Snapshot = await StructuredAsync<EmotionalSnapshotResult>(CoachTask.EmotionalSnapshot, new() { ["message"] = turn.User }, calls, failures, cancellationToken),
        };

        if (index == recording.Turns.Count - 1 && recording.Session.Completed && !IsOnboarding(recording))
        {
            var transcript = Transcript(recording, index, includeLastReply: true, lastReply: outputs.Reply);
            outputs = outputs with
            {
                Summary = await StructuredAsync<SessionSummaryResult>(CoachTask.SessionSummary, new() { ["persona"] = recording.Session.Persona, ["transcript"] = transcript }, calls, failures, cancellationToken),
                Goals = await StructuredAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new() { ["transcript"] = transcript, ["active_goals"] = recording.User.ActiveGoals }, calls, failures, cancellationToken),
            };
        }

        return outputs with { Calls = calls, Failures = failures };
    }

    private async Task<(string Text, CallFacts Facts)> ReplyAsync(
        string task, Dictionary<string, object?> inputs, IReadOnlyList<ChatMessage> history, bool withTools, CancellationToken cancellationToken)
    {
        var started = engine.Time.GetTimestamp();
        // With an actor the reply is offered the coach's tools, as in production; the sandbox answers them.
        var actor = withTools ? new TaskActor(Guid.Empty) : null;
        var stream = engine.Tasks.StartText(task, inputs, history, actor, cancellationToken);
        var text = new StringBuilder();
        string? model = null;
        long input = 0, output = 0;
        await foreach (var update in stream.Updates.WithCancellation(cancellationToken))
        {
            text.Append(update.Text);
            model ??= update.ModelId;
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                input += usage.Details.InputTokenCount ?? 0;
                output += usage.Details.OutputTokenCount ?? 0;
            }
        }

        return (text.ToString(), new CallFacts(task, model, stream.PromptVersion, stream.RenderedPromptHash, input, output, engine.Time.GetElapsedTime(started).TotalMilliseconds));
    }

    private async Task<JsonElement?> StructuredAsync<T>(
        string task, Dictionary<string, object?> inputs, List<CallFacts> calls, List<string> failures, CancellationToken cancellationToken)
    {
        var started = engine.Time.GetTimestamp();
        try
        {
            var result = await engine.Tasks.RunStructuredAsync<T>(task, inputs, cancellationToken);
            calls.Add(new CallFacts(task, result.ModelId, result.PromptVersion, result.RenderedPromptHash,
                result.Usage.InputTokens, result.Usage.OutputTokens, engine.Time.GetElapsedTime(started).TotalMilliseconds));
            return JsonSerializer.SerializeToElement(result.Value, OutputJson);
        }
        catch (Exception e) when (e is LlmOutputInvalidException or LlmException)
        {
            failures.Add($"{task}: {e.Message}");
            return null;
        }
    }

    private static bool IsOnboarding(ConversationRecording recording) => recording.Session.Type == "onboarding_assessment";

    /// <summary>The recorded conversation before turn <paramref name="index"/>: a cut reply as the part the user heard.</summary>
    private static List<ChatMessage> History(ConversationRecording recording, int index)
    {
        var history = new List<ChatMessage>();
        foreach (var earlier in recording.Turns.Take(index))
        {
            history.Add(new ChatMessage(ChatRole.User, earlier.User));
            var reply = earlier.Heard ?? earlier.Reply;
            if (reply.Length > 0)
            {
                history.Add(new ChatMessage(ChatRole.Assistant, reply));
            }
        }

        return history;
    }

    private static string Transcript(ConversationRecording recording, int index, bool includeLastReply, string? lastReply = null)
    {
        var lines = new List<(string, string)>();
        foreach (var t in recording.Turns.Take(index + 1))
        {
            lines.Add(("user", t.User));
            var reply = t.Turn == index + 1 ? (includeLastReply ? lastReply ?? t.Reply : null) : t.Heard ?? t.Reply;
            if (!string.IsNullOrEmpty(reply))
            {
                lines.Add(("assistant", reply));
            }
        }

        return Conversations.Transcript.Of(lines);
    }

    /// <summary>The template inputs the turn orchestrator builds (<see cref="ConversationContext"/>), from the recording.</summary>
    private static Dictionary<string, object?> Inputs(ConversationRecording recording, int index, bool assessing)
    {
        var user = recording.User;
        var message = recording.Turns[index].User;
        return assessing
            ? new() { ["user_name"] = user.Name, ["question_number"] = index + 1, ["message"] = message }
            : new()
            {
                ["persona"] = recording.Session.Persona,
                ["language"] = recording.Session.Language,
                ["user_name"] = user.Name,
                ["disc_type"] = user.DiscType ?? "",
                ["enneagram_type"] = user.EnneagramType,
                ["active_goals"] = user.ActiveGoals.ToList(),
                ["recent_insights"] = user.RecentInsights.ToList(),
                ["message"] = message,
            };
    }
}
