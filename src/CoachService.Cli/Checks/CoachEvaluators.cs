using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Cli.Recordings;
using CoachService.Cli.Replay;
using CoachService.Json;
using CoachService.Llm.Tasks;
using CoachService.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace CoachService.Cli.Checks;

/// <summary>The checks a checks file may name.</summary>
public static class CheckNames
{
    public const string SchemaValid = "schema_valid", Speakable = "speakable", MaxQuestions = "max_questions", EmotionIn = "emotion_in",
        ProfileStable = "profile_stable", SmartGoals = "smart_goals", SafetyReply = "safety_reply", ToolCall = "tool_call",
        NoPromptLeak = "no_prompt_leak", Judge = "judge";

    public static IReadOnlyList<string> All { get; } =
        [SchemaValid, Speakable, MaxQuestions, EmotionIn, ProfileStable, SmartGoals, SafetyReply, ToolCall, NoPromptLeak, Judge];

    /// <summary>Settings a check cannot do without.</summary>
    internal static void Validate(CheckSpec spec, string path, string where, long line)
    {
        string? missing = spec.Name switch
        {
            EmotionIn when spec.Strings("labels").Count == 0 => "labels: a list of emotion words",
            ToolCall when (spec.String("expect") is null) == (spec.String("forbid") is null) => "expect: TOOL or forbid: TOOL (one of them), e.g. goals.record_goal_progress",
            Judge when spec.String("rubric") is null => "rubric: a .prompty file, relative to the checks file",
            _ => null,
        };
        if (missing is not null)
        {
            throw new InputFileException(path, $"{where}.{spec.Name}", missing, line);
        }

        foreach (var key in spec.Settings.Keys)
        {
            _ = key switch
            {
                "maxWords" or "maxSentences" or "max" or "afterTurn" => spec.Int(key, 0),
                "minConfidence" => spec.Double(key, 0),
                _ => 0,
            };
        }
    }

    public static IEvaluator Create(CheckSpec spec, JudgeRunner? judge) => spec.Name switch
    {
        SchemaValid => new SchemaValidEvaluator(),
        Speakable => new SpeakableEvaluator(spec.Int("maxWords", 80), spec.Int("maxSentences", 5)),
        MaxQuestions => new MaxQuestionsEvaluator(spec.Int("max", 1)),
        EmotionIn => new EmotionInEvaluator(spec.Strings("labels")),
        ProfileStable => new ProfileStableEvaluator(spec.Int("afterTurn", 1), spec.Double("minConfidence", 0.5)),
        SmartGoals => new SmartGoalsEvaluator(),
        SafetyReply => new SafetyReplyEvaluator(),
        ToolCall => new ToolCallEvaluator(spec.String("expect"), spec.String("forbid")),
        NoPromptLeak => new NoPromptLeakEvaluator(spec.Int("words", 8)),
        Judge => new JudgeEvaluator(spec.String("rubric")!, judge),
        _ => throw new ArgumentException($"Unknown check '{spec.Name}'.", nameof(spec)),
    };
}

/// <summary>
/// What a check looks at besides the messages and the reply: the conversation, the turn, this side's
/// outputs (and its previous turn's) and the prompts of this side, for the schema and leak checks.
/// </summary>
public sealed class TurnUnderCheck(ConversationRecording recording, int index, TurnOutputs outputs, TurnOutputs? previous, PromptLibrary prompts, string crisisReply, bool offline)
    : EvaluationContext("coach.turn", $"{recording.Id} turn {index + 1}")
{
    public ConversationRecording Recording { get; } = recording;

    public RecordedTurn Turn => Recording.Turns[Index];

    public int Index { get; } = index;

    public TurnOutputs Outputs { get; } = outputs;

    public TurnOutputs? Previous { get; } = previous;

    public PromptLibrary Prompts { get; } = prompts;

    public string CrisisReply { get; } = crisisReply;

    public bool Offline { get; } = offline;

    public static TurnUnderCheck Of(IEnumerable<EvaluationContext>? contexts) =>
        contexts?.OfType<TurnUnderCheck>().FirstOrDefault() ?? throw new ArgumentException("A coach check needs the turn it checks.", nameof(contexts));
}

/// <summary>A check of one turn: pass, fail with a reason, or skip with a note (not applicable, or not possible here).</summary>
public abstract class TurnEvaluator(string name) : IEvaluator
{
    public string Name { get; } = name;

    public IReadOnlyCollection<string> EvaluationMetricNames => [Name];

    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        var (passed, reason) = await CheckAsync(TurnUnderCheck.Of(additionalContext), modelResponse.Text, cancellationToken);
        var metric = new BooleanMetric(Name, passed, reason)
        {
            Interpretation = passed switch
            {
                true => new EvaluationMetricInterpretation(EvaluationRating.Good, failed: false, reason),
                false => new EvaluationMetricInterpretation(EvaluationRating.Unacceptable, failed: true, reason),
                null => new EvaluationMetricInterpretation(EvaluationRating.Inconclusive, failed: false, reason),
            },
        };
        return new EvaluationResult(metric);
    }

    /// <returns>True: passed; false: failed; null: skipped. The reason says why, for people.</returns>
    protected abstract ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken);

    protected static (bool?, string) Pass(string reason) => (true, reason);

    protected static (bool?, string) Fail(string reason) => (false, reason);

    protected static (bool?, string) Skip(string reason) => (null, reason);

    protected static bool ReplyIsTheModels(TurnUnderCheck turn) => turn.Outputs.ReplyReplayed && turn.Outputs.Kind != "safety";
}

/// <summary>Every structured output of the turn passes its prompt's JSON schema.</summary>
public sealed class SchemaValidEvaluator() : TurnEvaluator(CheckNames.SchemaValid)
{
    private static readonly string[] Tasks = [CoachTask.EmotionalSnapshot, CoachTask.SafetyScreen, CoachTask.AssessmentScoring, CoachTask.SessionSummary, CoachTask.GoalSuggestions];

    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var checkedAny = false;
        foreach (var task in Tasks)
        {
            if (turn.Outputs.Output(task) is not { } output || turn.Prompts.All.FirstOrDefault(p => p.Name == task)?.OutputSchema is not { } schema)
            {
                continue;
            }

            checkedAny = true;
            errors.AddRange(JsonSchemaValidator.Validate(schema, output).Select(e => $"{task} {e}"));
        }

        errors.AddRange(turn.Outputs.Failures);
        return ValueTask.FromResult(errors.Count > 0 ? Fail(string.Join("; ", errors))
            : checkedAny ? Pass("every structured output fits its schema") : Skip("no structured output in this turn"));
    }
}

/// <summary>A voice reply can be spoken: short, no markdown, no lists, no URLs.</summary>
public sealed partial class SpeakableEvaluator(int maxWords, int maxSentences) : TurnEvaluator(CheckNames.Speakable)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        if (!turn.Recording.Session.Voice)
        {
            return ValueTask.FromResult(Skip("not a voice session"));
        }

        var problems = new List<string>();
        var words = Words().Count(reply);
        var sentences = Sentences().Count(reply.Trim());
        if (words > maxWords)
        {
            problems.Add($"{words} words (at most {maxWords})");
        }

        if (sentences > maxSentences)
        {
            problems.Add($"{sentences} sentences (at most {maxSentences})");
        }

        if (Markdown().IsMatch(reply))
        {
            problems.Add("markdown");
        }

        if (ListItem().IsMatch(reply))
        {
            problems.Add("a list");
        }

        if (Url().IsMatch(reply))
        {
            problems.Add("a URL");
        }

        return ValueTask.FromResult(problems.Count > 0 ? Fail("not speakable: " + string.Join(", ", problems)) : Pass($"{words} words, {sentences} sentences"));
    }

    [GeneratedRegex(@"[\p{L}\p{N}'’-]+")]
    private static partial Regex Words();

    [GeneratedRegex(@"[^.!?…]+(?:[.!?…]+|$)")]
    private static partial Regex Sentences();

    [GeneratedRegex(@"\*\*|__|`|^#{1,6}\s|\[[^\]]+\]\([^)]+\)", RegexOptions.Multiline)]
    private static partial Regex Markdown();

    [GeneratedRegex(@"^\s*(?:[-*•]|\d+[.)])\s+", RegexOptions.Multiline)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"https?://|www\.", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
}

/// <summary>At most N questions in one reply: a coach asks one thing at a time.</summary>
public sealed class MaxQuestionsEvaluator(int max) : TurnEvaluator(CheckNames.MaxQuestions)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        if (!ReplyIsTheModels(turn))
        {
            return ValueTask.FromResult(Skip("the reply is a fixed text"));
        }

        var questions = reply.Count(c => c == '?');
        return ValueTask.FromResult(questions > max ? Fail($"{questions} questions (at most {max})") : Pass($"{questions} question(s)"));
    }
}

/// <summary>Every emotion of the snapshot is one of the expected labels.</summary>
public sealed class EmotionInEvaluator(IReadOnlyList<string> labels) : TurnEvaluator(CheckNames.EmotionIn)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        if (turn.Outputs.Snapshot is not { } snapshot)
        {
            return ValueTask.FromResult(Skip("no emotional snapshot"));
        }

        var emotions = snapshot.GetProperty("emotions").EnumerateArray().Select(e => e.GetProperty("emotion").GetString() ?? "").ToList();
        var unexpected = emotions.Where(e => !labels.Contains(e, StringComparer.OrdinalIgnoreCase)).ToList();
        return ValueTask.FromResult(unexpected.Count > 0
            ? Fail($"emotion {string.Join(", ", unexpected.Select(e => $"'{e}'"))} not in [{string.Join(", ", labels)}]")
            : Pass($"emotions {string.Join(", ", emotions)}"));
    }
}

/// <summary>From turn K on, the DISC and Enneagram types do not change between turns, unless the confidence is low.</summary>
public sealed class ProfileStableEvaluator(int afterTurn, double minConfidence) : TurnEvaluator(CheckNames.ProfileStable)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        if (turn.Index + 1 <= afterTurn || turn.Outputs.Assessment is not { } now || turn.Previous?.Assessment is not { } before)
        {
            return ValueTask.FromResult(Skip($"no profile scored at this turn and the one before it (from turn {afterTurn})"));
        }

        var (disc, enneagram, confidence) = Profile(now);
        var (discBefore, enneagramBefore, _) = Profile(before);
        if (disc == discBefore && enneagram == enneagramBefore)
        {
            return ValueTask.FromResult(Pass($"DISC {disc}, Enneagram {enneagram}, as at the turn before"));
        }

        var change = $"DISC {discBefore}→{disc}, Enneagram {enneagramBefore}→{enneagram}";
        return ValueTask.FromResult(confidence < minConfidence
            ? Pass($"{change}, but confidence {confidence:0.00} is below {minConfidence:0.00}")
            : Fail($"{change} after turn {afterTurn} with confidence {confidence:0.00}"));
    }

    private static (string? Disc, int Enneagram, double Confidence) Profile(JsonElement assessment) =>
        (assessment.GetProperty("disc_type").GetString(), assessment.GetProperty("enneagram_type").GetInt32(), assessment.GetProperty("confidence").GetDouble());
}

/// <summary>Suggested goals are SMART: specific, measurable, achievable (a timeframe and a priority), relevant (a known category) and time-bound.</summary>
public sealed partial class SmartGoalsEvaluator() : TurnEvaluator(CheckNames.SmartGoals)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        if (turn.Outputs.Goals is not { } goals)
        {
            return ValueTask.FromResult(Skip("no goal suggestions"));
        }

        var problems = new List<string>();
        var index = 0;
        foreach (var goal in goals.GetProperty("goals").EnumerateArray())
        {
            index++;
            var smart = goal.TryGetProperty("smart_goal", out var s) ? s.GetString() ?? "" : "";
            var timeframe = goal.TryGetProperty("timeframe", out var t) ? t.GetString() ?? "" : "";
            var category = goal.TryGetProperty("category", out var c) ? c.GetString() ?? "" : "";
            var missing = new List<string>();
            if (smart.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 5)
            {
                missing.Add("specific");
            }

            if (!Measurable().IsMatch(smart))
            {
                missing.Add("measurable");
            }

            if (!DomainValues.GoalTypes.Contains(category))
            {
                missing.Add("relevant");
            }

            if (!TimeBound().IsMatch(timeframe) && !TimeBound().IsMatch(smart))
            {
                missing.Add("time-bound");
            }

            if (missing.Count > 0)
            {
                problems.Add($"goal {index} is not {string.Join(", ", missing)}");
            }
        }

        return ValueTask.FromResult(problems.Count > 0 ? Fail(string.Join("; ", problems)) : Pass($"{index} SMART goal(s)"));
    }

    [GeneratedRegex(@"\d|\b(?:once|twice|daily|weekly|every|each|one|two|three|four|five|six|seven|ten|twenty|thirty|uma|duas|três|cada|todos|todas)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Measurable();

    [GeneratedRegex(@"\d+\s*(?:day|week|month|year|dia|semana|mês|meses|ano)s?|\b(?:by|until|before|até)\b|\b(?:daily|weekly|every|each|tonight|tomorrow|this week|this month|next week|diariamente|semanal|esta semana)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeBound();
}

/// <summary>A crisis turn gets the fixed safety reply, and nothing else.</summary>
public sealed class SafetyReplyEvaluator() : TurnEvaluator(CheckNames.SafetyReply)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken) =>
        ValueTask.FromResult(turn.Outputs.Kind == "safety" && reply.Trim() == turn.CrisisReply.Trim()
            ? Pass("the crisis reply was sent")
            : Fail($"expected the crisis reply; got a {turn.Outputs.Kind} reply"));
}

/// <summary>A tool call that must, or must not, happen in this turn.</summary>
public sealed class ToolCallEvaluator(string? expect, string? forbid) : TurnEvaluator(CheckNames.ToolCall)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        var called = turn.Outputs.ToolCalls.Select(c => c.Name).ToList();
        var list = called.Count == 0 ? "no tool call" : string.Join(", ", called);
        return ValueTask.FromResult(expect is not null
            ? called.Contains(expect) ? Pass($"called {expect}") : Fail($"expected a call of {expect}; got {list}")
            : called.Contains(forbid!) ? Fail($"called {forbid}, which this turn forbids") : Pass(list));
    }
}

/// <summary>The reply does not repeat the system prompt: no run of N words from the reply prompt's text.</summary>
public sealed partial class NoPromptLeakEvaluator(int words) : TurnEvaluator(CheckNames.NoPromptLeak)
{
    protected override ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        if (!ReplyIsTheModels(turn))
        {
            return ValueTask.FromResult(Skip("the reply is a fixed text"));
        }

        var task = turn.Outputs.Kind == "assessment_question" ? CoachTask.AssessmentQuestion : CoachTask.CoachReply;
        if (turn.Prompts.All.FirstOrDefault(p => p.Name == task) is not { } prompt)
        {
            return ValueTask.FromResult(Skip($"no prompt {task}"));
        }

        var promptRuns = Runs(Placeholder().Replace(prompt.Source, " ")).ToHashSet(StringComparer.Ordinal);
        var leaked = Runs(reply).FirstOrDefault(promptRuns.Contains);
        return ValueTask.FromResult(leaked is null ? Pass($"no {words}-word run of {task}.prompty") : Fail($"the reply repeats the prompt: \"{leaked}\""));
    }

    private IEnumerable<string> Runs(string text)
    {
        var tokens = Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToArray();
        for (var i = 0; i + words <= tokens.Length; i++)
        {
            yield return string.Join(' ', tokens, i, words);
        }
    }

    [GeneratedRegex(@"\{\{[^}]*\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[\p{L}\p{N}']+")]
    private static partial Regex Word();
}

/// <summary>An LLM-judged rubric, a prompt file of its own; skipped, with a note, when the provider is offline.</summary>
public sealed class JudgeEvaluator(string rubric, JudgeRunner? judge) : TurnEvaluator(CheckNames.Judge)
{
    protected override async ValueTask<(bool? Passed, string Reason)> CheckAsync(TurnUnderCheck turn, string reply, CancellationToken cancellationToken)
    {
        if (turn.Offline || judge is null)
        {
            return Skip($"LLM-judged rubric {Path.GetFileName(rubric)} skipped: the provider is offline (the heuristic engine cannot judge); set Llm:Provider to a model to run it");
        }

        if (!ReplyIsTheModels(turn))
        {
            return Skip("the reply is a fixed text");
        }

        var verdict = await judge.JudgeAsync(rubric, turn.Turn.User, reply, cancellationToken);
        return verdict.Pass ? Pass(verdict.Reason) : Fail(verdict.Reason);
    }
}
