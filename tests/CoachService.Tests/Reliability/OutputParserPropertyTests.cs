using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using CoachService.Prompts;
using CoachService.Sessions;
using CoachService.Tests.Prompts;
using CsCheck;

namespace CoachService.Tests.Reliability;

/// <summary>
/// Properties (CsCheck) over the parser of every structured task's output, on the repository's prompt
/// files: arbitrary text, arbitrary JSON trees and mutations of a valid answer give the record or
/// <see cref="LlmOutputInvalidException"/>, nothing else; a record that comes out is inside every limit its
/// task declares; the errors are few, short and never quote the output's text; a valid answer always parses.
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class OutputParserPropertyTests
{
    private static readonly PromptLibrary Library = PromptTestFiles.RepositoryLibrary();

    /// <summary>Put into generated strings and keys: no error may repeat it.</summary>
    private const string Canary = "zq canary";

    private const long Iterations = 600;

    private static readonly string[] InsightCategories =
        ["stress_management", "goal_achievement", "relationships", "self_worth", "emotional_regulation", "work_life_balance", "personal_growth", "mindfulness"];

    private static readonly string[] GoalCategories = ["emotional_wellness", "personal_growth", "relationships", "career", "health", "mindfulness"];

    private static readonly string[] RiskLevels = ["none", "low", "elevated", "crisis"];

    private static readonly string[] RiskCategories = ["self_harm", "suicidal_ideation", "harm_to_others", "abuse", "medical_emergency"];

    // ---- valid answers, one generator per task ----

    /// <summary>Ordinary text a model writes, 1..max characters: letters of several scripts, digits, punctuation, emoji.</summary>
    private static Gen<string> Prose(int max) =>
        Gen.OneOf(
                Gen.Char["abcdefghijklmnopqrstuvwxyz ABCXYZ,.;'!?-0123456789"],
                Gen.Char["éüñçßøåœ"],
                Gen.Char['\u0400', '\u04FF'],
                Gen.Char['\u4E00', '\u4FFF'])
            .Array[1, Math.Min(max, 80)]
            .Select(chars => new string(chars).Trim() is { Length: > 0 } text ? text : "a")
            .SelectMany(text => Gen.Bool.Select(emoji => emoji && text.Length + 2 <= max ? text + "😀" : text));

    private static readonly Gen<double> Unit = Gen.Int[0, 1000].Select(i => i / 1000.0);

    private static readonly Gen<JsonObject> ValidSnapshot =
        Gen.Select(Gen.Char['a', 'z'].Array[1, 12], Gen.Int[1, 5], Gen.Int[0, 0xFFFFFF], Unit,
                (emotion, intensity, color, confidence) => (JsonNode)new JsonObject
                {
                    ["emotion"] = new string(emotion), ["intensity"] = intensity,
                    ["color"] = "#" + color.ToString("X6", CultureInfo.InvariantCulture), ["confidence"] = confidence,
                })
            .Array[1, 5]
            .Select(emotions => new JsonObject { ["emotions"] = new JsonArray(emotions) });

    private static readonly Gen<JsonObject> ValidSummary =
        Gen.Select(
            Prose(40), Prose(300),
            Gen.Select(Prose(500), Gen.Int[0, InsightCategories.Length - 1], Gen.Int[1, 5],
                (insight, category, importance) => (JsonNode)new JsonObject { ["insight"] = insight, ["category"] = InsightCategories[category], ["importance"] = importance })
                .Array[1, 5],
            (name, description, insights) => new JsonObject
            {
                ["virtue"] = new JsonObject { ["name"] = name, ["description"] = description },
                ["key_insights"] = new JsonArray(insights),
            });

    private static readonly Gen<JsonObject> ValidSuggestions =
        Gen.Select(Gen.Int[0, GoalCategories.Length - 1], Prose(300), Prose(500), Prose(60), Gen.Int[1, 5],
                (category, description, smart, timeframe, priority) => (JsonNode)new JsonObject
                {
                    ["category"] = GoalCategories[category], ["description"] = description, ["smart_goal"] = smart,
                    ["timeframe"] = timeframe, ["priority"] = priority,
                })
            .Array[1, 3]
            .Select(goals => new JsonObject { ["goals"] = new JsonArray(goals) });

    private static readonly Gen<JsonObject> ValidScoring =
        Gen.Select(Gen.Int[0, 3], Unit.Array[4], Gen.Int[1, 9], Gen.Bool, Unit.Array[9], Unit, Prose(300).Array[1, 5],
            (disc, scores, type, up, enneagram, confidence, insights) => new JsonObject
            {
                ["disc_type"] = "DISC"[disc].ToString(),
                ["disc_scores"] = new JsonObject { ["d"] = scores[0], ["i"] = scores[1], ["s"] = scores[2], ["c"] = scores[3] },
                ["enneagram_type"] = type,
                ["enneagram_wing"] = up ? type % 9 + 1 : (type + 7) % 9 + 1,
                ["enneagram_scores"] = new JsonArray([.. enneagram.Select(s => (JsonNode)s)]),
                ["confidence"] = confidence,
                ["insights"] = new JsonArray([.. insights.Select(i => (JsonNode)i)]),
            });

    private static readonly Gen<JsonObject> ValidScreen =
        Gen.Select(Gen.Int[0, 3], Gen.Bool, Gen.Int[0, RiskCategories.Length - 1].Array[0, 5], Gen.OneOf(Gen.Const(""), Prose(300)),
            (risk, crisis, categories, rationale) => new JsonObject
            {
                ["risk_level"] = RiskLevels[risk],
                ["is_crisis"] = crisis,
                ["categories"] = new JsonArray([.. categories.Select(c => (JsonNode)RiskCategories[c])]),
                ["rationale"] = rationale,
            });

    /// <summary>Each structured task: its valid answers and the property every parsed record must have.</summary>
    private sealed record TaskCase(string Task, Gen<JsonObject> Valid, Func<string, object> Parse, Action<object> CheckLimits);

    private static TaskCase Case<T>(string task, Gen<JsonObject> valid, Action<T> limits) where T : class =>
        new(task, valid, text => StructuredOutputParser.Parse<T>(Library.Get(task), text), value => limits((T)value));

    private static readonly Dictionary<string, TaskCase> Cases = new TaskCase[]
    {
        Case<EmotionalSnapshotResult>(CoachTask.EmotionalSnapshot, ValidSnapshot, result =>
        {
            Within(result.Emotions.Count, 1, 5, "emotions");
            foreach (var e in result.Emotions)
            {
                Assert.Matches("^[a-z]+(-[a-z]+)*$", e.Emotion);
                Text(e.Emotion, 1, 40, "emotion");
                Within(e.Intensity, 1, 5, "intensity");
                Assert.Matches("^#[0-9A-Fa-f]{6}$", e.Color);
                Within(e.Confidence, 0, 1, "confidence");
            }
        }),
        Case<SessionSummaryResult>(CoachTask.SessionSummary, ValidSummary, result =>
        {
            Text(result.Virtue.Name, 1, 40, "virtue.name");
            Text(result.Virtue.Description, 1, 300, "virtue.description");
            Within(result.KeyInsights.Count, 1, 5, "key_insights");
            foreach (var insight in result.KeyInsights)
            {
                Text(insight.Insight, 1, 500, "insight");
                Assert.Contains(insight.Category, InsightCategories);
                Within(insight.Importance, 1, 5, "importance");
            }
        }),
        Case<GoalSuggestionsResult>(CoachTask.GoalSuggestions, ValidSuggestions, result =>
        {
            Within(result.Goals.Count, 1, 3, "goals");
            foreach (var goal in result.Goals)
            {
                Assert.Contains(goal.Category, GoalCategories);
                Text(goal.Description, 1, 300, "description");
                Text(goal.SmartGoal, 1, 500, "smart_goal");
                Text(goal.Timeframe, 1, 60, "timeframe");
                Within(goal.Priority, 1, 5, "priority");
            }
        }),
        Case<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, ValidScoring, result =>
        {
            Assert.Contains(result.DiscType, (string[])["D", "I", "S", "C"]);
            foreach (var score in (double[])[result.DiscScores.D, result.DiscScores.I, result.DiscScores.S, result.DiscScores.C, result.Confidence, .. result.EnneagramScores])
            {
                Within(score, 0, 1, "score");
            }

            Assert.Equal(9, result.EnneagramScores.Count);
            Within(result.EnneagramType, 1, 9, "enneagram_type");
            Within(result.EnneagramWing, 1, 9, "enneagram_wing");
            Assert.True(Math.Abs(result.EnneagramType - result.EnneagramWing) is 1 or 8, "the wing is adjacent to the type");
            Within(result.Insights.Count, 1, 5, "insights");
            foreach (var insight in result.Insights)
            {
                Text(insight, 1, 300, "insight");
            }
        }),
        Case<SafetyScreenResult>(CoachTask.SafetyScreen, ValidScreen, result =>
        {
            Assert.Contains(result.RiskLevel, RiskLevels);
            Within(result.Categories.Count, 0, 5, "categories");
            Assert.All(result.Categories, c => Assert.Contains(c, RiskCategories));
            Text(result.Rationale, 0, 300, "rationale");
        }),
    }.ToDictionary(c => c.Task);

    public static TheoryData<string> Tasks => [.. CoachTaskOutputs.Types.Keys];

    [Fact]
    public void Every_structured_task_has_a_case() =>
        Assert.Equal(CoachTaskOutputs.Types.Keys.Order(), Cases.Keys.Order());

    [Theory]
    [MemberData(nameof(Tasks))]
    public void A_valid_answer_always_parses_inside_its_limits(string task)
    {
        var c = Cases[task];
        c.Valid.Sample(answer =>
        {
            var value = c.Parse(answer.ToJsonString());
            c.CheckLimits(value);
            // Fenced as models often do, it parses too.
            c.CheckLimits(c.Parse("```json\n" + answer.ToJsonString() + "\n```"));
        }, iter: Iterations);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Arbitrary_text_is_refused_with_the_declared_exception_only(string task)
    {
        var c = Cases[task];
        Gen.OneOf(
                Gen.String,
                Gen.Char.Array[0, 200].Select(chars => new string(chars)),
                Gen.Char["{}[]\":,0123456789.eE-+ truefalsn\\u"].Array[0, 120].Select(chars => new string(chars)))
            .Sample(text => Outcome(c, text), iter: Iterations);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Arbitrary_json_trees_are_refused_or_parsed_inside_the_limits(string task)
    {
        var c = Cases[task];
        AnyJson(4).Sample(text => Outcome(c, text), iter: Iterations);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Mutations_of_a_valid_answer_are_refused_or_parsed_inside_the_limits(string task)
    {
        var c = Cases[task];
        Gen.Select(c.Valid, Mutations).Sample(pair => Outcome(c, pair.Item2(pair.Item1)), iter: Iterations * 2);
    }

    /// <summary>The one outcome allowed: a record inside the limits, or the declared exception with a few short errors.</summary>
    private static void Outcome(TaskCase c, string text)
    {
        object value;
        try
        {
            value = c.Parse(text);
        }
        catch (LlmOutputInvalidException e)
        {
            Assert.Equal(c.Task, e.Task);
            Assert.NotEmpty(e.Errors);
            Assert.InRange(e.Errors.Count, 1, StructuredOutputParser.MaxErrors + 1);
            Assert.All(e.Errors, error =>
            {
                Assert.InRange(error.Length, 1, 400);
                Assert.DoesNotContain(Canary, error, StringComparison.Ordinal);
                Assert.DoesNotContain("<script", error, StringComparison.OrdinalIgnoreCase);
            });
            return;
        }

        c.CheckLimits(value);
    }

    // ---- arbitrary JSON and mutations, written as text so that anything JSON allows can be sent ----

    private static readonly Gen<string> HostileString = Gen.OneOf(
        Gen.Const("<script>alert(1)</script>"),
        Gen.Const("\\u0000"),
        Gen.Const("a\\u0007b"),
        Gen.Const("\\ud800"),
        Gen.Const("\\udc00x\\ud83d"),
        Gen.Const(Canary),
        Gen.Const("I'm sorry, but I can't help with that."),
        Gen.Int[1, 30_000].Select(n => new string('x', n)),
        Gen.Const(new string('x', StructuredOutputParser.MaxOutputLength)),
        // One character as a reader sees it, thousands of code points: what counts as length matters.
        Gen.Int[41, 3_000].Select(n => "a" + string.Concat(Enumerable.Repeat("\\u0301", n))),
        Gen.Int[1, 200].Select(n => string.Concat(Enumerable.Repeat("👍🏽", n))),
        Gen.Char['\u0300', '\u036F'].Array[1, 700].Select(Escape),
        Gen.Char.Array[0, 60].Select(Escape));

    private static readonly Gen<string> AnyNumber = Gen.OneOf(
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0"),
        Gen.Int[0, 10].Select(i => ((string[])["1e400", "-1e400", "1e-400", "-2.79E-31", "99999999999999999999999999999999", "3.0", "-0", "5.0000000000000001", "0.9999999999999999999", "1E+1", "12345678901234567890.5"])[i]),
        Gen.Int[1, 5].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Unit.Select(d => d.ToString("R", CultureInfo.InvariantCulture)));

    private static readonly Gen<string> AnyKey = Gen.OneOf(
        Gen.Int[0, 20].Select(i => ((string[])["emotions", "emotion", "intensity", "color", "confidence", "virtue", "name", "description", "key_insights", "insight", "category", "importance", "goals", "smart_goal", "timeframe", "priority", "risk_level", "is_crisis", "categories", "rationale", "insights"])[i]),
        Gen.Const("user_id"),
        Gen.Const("<script>"),
        Gen.Const(Canary),
        Gen.Char.Array[0, 60].Select(Escape));

    private static Gen<string> Scalar() => Gen.OneOf(
        Gen.Const("null"), Gen.Const("true"), Gen.Const("false"), AnyNumber,
        HostileString.Select(s => "\"" + s + "\""),
        Prose(60).Select(s => JsonSerializer.Serialize(s)));

    private static Gen<string> AnyJson(int depth) => depth == 0
        ? Scalar()
        : Gen.Frequency(
            (3, Scalar()),
            (2, AnyJson(depth - 1).Array[0, 6].Select(items => "[" + string.Join(",", items) + "]")),
            (3, Gen.Select(AnyKey, AnyJson(depth - 1)).Array[0, 6]
                .Select(members => "{" + string.Join(",", members.Select(m => "\"" + m.Item1 + "\":" + m.Item2)) + "}")));

    /// <summary>Rewrites one value of a valid answer (found by position in document order) as hostile JSON text.</summary>
    private static readonly Gen<Func<JsonObject, string>> Mutations = Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 7], AnyJson(2), AnyKey,
        (position, kind, json, key) => new Func<JsonObject, string>(answer =>
        {
            var root = JsonNode.Parse(answer.ToJsonString())!.AsObject();
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var target = nodes[position % nodes.Count];
            const string Marker = "__mutation__";
            switch (kind)
            {
                case 0 when target is JsonObject o:
                    o[key.Replace("\\", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal)] = Marker;
                    break;
                case 1 when target is JsonObject o && o.Count > 0:
                    o.Remove(o.ElementAt(position % o.Count).Key);
                    return root.ToJsonString();
                case 2 when target is JsonArray a:
                    for (var i = 0; i < 6; i++)
                    {
                        a.Add(a.Count > 0 ? a[0]!.DeepClone() : Marker);
                    }

                    return root.ToJsonString();
                case 3 when target is JsonArray a:
                    a.Clear();
                    return root.ToJsonString();
                default:
                    if (target.Parent is null)
                    {
                        return json;
                    }

                    target.ReplaceWith(Marker);
                    break;
            }

            // The marker string stands where the hostile text goes.
            return root.ToJsonString().Replace("\"" + Marker + "\"", json, StringComparison.Ordinal);
        }));

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    Collect(child!, nodes);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child!, nodes);
                }

                break;
        }
    }

    /// <summary>A string's JSON body with every character escaped, so that lone surrogates and controls reach the parser as JSON allows.</summary>
    private static string Escape(char[] chars)
    {
        var text = new StringBuilder();
        foreach (var c in chars)
        {
            text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }

        return text.ToString();
    }

    private static void Within(double value, double min, double max, string what) =>
        Assert.True(value >= min && value <= max, $"{what} {value} is outside {min}..{max}");

    /// <summary>Within the declared length in Unicode code points (what JSON Schema and PostgreSQL's length() count), free of controls, markup and broken surrogates.</summary>
    private static void Text(string value, int min, int max, string what)
    {
        var codePoints = value.EnumerateRunes().Count();
        Assert.True(codePoints >= min && codePoints <= max, $"{what}: {codePoints} code points are outside {min}..{max}");
        Assert.True(value.EnumerateRunes().Count() == CountValidRunes(value), $"{what} holds an unpaired surrogate");
        Assert.DoesNotContain(value, ch => char.IsControl(ch) && ch is not '\n' and not '\t');
        Assert.DoesNotContain("<script", value, StringComparison.OrdinalIgnoreCase);
    }

    private static int CountValidRunes(string value)
    {
        var count = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsSurrogate(value[i]))
            {
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    count++;
                    continue;
                }

                return -1;
            }

            count++;
        }

        return count;
    }
}
