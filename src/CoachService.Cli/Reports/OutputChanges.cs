using System.Globalization;
using System.Text.Json;
using CoachService.Cli.Replay;

namespace CoachService.Cli.Reports;

/// <summary>
/// Field-level changes between the baseline's and the replay's outputs of a turn, worded for prompt
/// authors ("DISC D→I, confidence 0.72→0.55", "goal 1 lost its deadline"). A field the baseline does
/// not have (a recording made before it was stored) is not a change.
/// </summary>
public static class OutputChanges
{
    public static IReadOnlyList<string> Between(TurnOutputs old, TurnOutputs now)
    {
        var changes = new List<string>();
        if (old.Kind != now.Kind)
        {
            changes.Add($"reply kind {old.Kind}→{now.Kind}");
        }

        if (old.Reply != now.Reply)
        {
            changes.Add($"reply changed ({WordCount(old.Reply)}→{WordCount(now.Reply)} words)");
        }

        if (old.Snapshot is { } a && now.Snapshot is { } b)
        {
            var (emotion, intensity) = Top(a);
            var (emotion2, intensity2) = Top(b);
            if (emotion != emotion2)
            {
                changes.Add($"emotion {emotion}→{emotion2}");
            }
            else if (intensity != intensity2)
            {
                changes.Add($"{emotion} intensity {intensity}→{intensity2}");
            }
        }

        if (old.Safety is { } s1 && now.Safety is { } s2)
        {
            var (r1, r2) = (s1.GetProperty("risk_level").GetString(), s2.GetProperty("risk_level").GetString());
            if (r1 != r2)
            {
                changes.Add($"safety risk {r1}→{r2}");
            }
        }

        if (old.Assessment is { } p1 && now.Assessment is { } p2)
        {
            var parts = new List<string>();
            Compare(parts, "DISC", p1, p2, "disc_type");
            Compare(parts, "Enneagram", p1, p2, "enneagram_type");
            var (c1, c2) = (p1.GetProperty("confidence").GetDouble(), p2.GetProperty("confidence").GetDouble());
            if (Math.Abs(c1 - c2) >= 0.005)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"confidence {c1:0.00}→{c2:0.00}"));
            }

            if (parts.Count > 0)
            {
                changes.Add(string.Join(", ", parts));
            }
        }

        if (old.Summary is { } m1 && now.Summary is { } m2)
        {
            var (v1, v2) = (m1.GetProperty("virtue").GetProperty("name").GetString(), m2.GetProperty("virtue").GetProperty("name").GetString());
            if (v1 != v2)
            {
                changes.Add($"virtue {v1}→{v2}");
            }

            var (k1, k2) = (m1.GetProperty("key_insights").GetArrayLength(), m2.GetProperty("key_insights").GetArrayLength());
            if (k1 != k2)
            {
                changes.Add($"key insights {k1}→{k2}");
            }
        }

        if (old.Goals is { } g1 && now.Goals is { } g2)
        {
            changes.AddRange(GoalChanges(g1.GetProperty("goals"), g2.GetProperty("goals")));
        }

        var (t1, t2) = (old.ToolCalls.Select(c => c.Name).ToList(), now.ToolCalls.Select(c => c.Name).ToList());
        changes.AddRange(t2.Except(t1).Distinct().Select(t => $"tool call {t} added"));
        changes.AddRange(t1.Except(t2).Distinct().Select(t => $"tool call {t} removed"));

        foreach (var (task, version) in now.Calls.Where(c => c.PromptVersion is not null).Select(c => (c.Task, c.PromptVersion)).Distinct())
        {
            if (old.Calls.FirstOrDefault(c => c.Task == task)?.PromptVersion is { } before && before != version)
            {
                changes.Add($"prompt {task} {Short(before)}→{Short(version!)}");
            }
        }

        return changes;
    }

    private static IEnumerable<string> GoalChanges(JsonElement before, JsonElement after)
    {
        var (a, b) = (before.EnumerateArray().ToList(), after.EnumerateArray().ToList());
        if (a.Count != b.Count)
        {
            yield return $"goals {a.Count}→{b.Count}";
        }

        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var (timeframe1, timeframe2) = (Text(a[i], "timeframe"), Text(b[i], "timeframe"));
            if (timeframe1.Length > 0 && timeframe2.Length == 0)
            {
                yield return $"goal {i + 1} lost its deadline";
            }
            else if (timeframe1 != timeframe2)
            {
                yield return $"goal {i + 1} timeframe \"{timeframe1}\"→\"{timeframe2}\"";
            }

            if (Text(a[i], "category") != Text(b[i], "category"))
            {
                yield return $"goal {i + 1} category {Text(a[i], "category")}→{Text(b[i], "category")}";
            }

            if (Text(a[i], "smart_goal") != Text(b[i], "smart_goal"))
            {
                yield return $"goal {i + 1} reworded";
            }
        }
    }

    private static void Compare(List<string> parts, string label, JsonElement a, JsonElement b, string field)
    {
        var (x, y) = (a.GetProperty(field).ToString(), b.GetProperty(field).ToString());
        if (x != y)
        {
            parts.Add($"{label} {x}→{y}");
        }
    }

    private static (string Emotion, int Intensity) Top(JsonElement snapshot) =>
        snapshot.GetProperty("emotions").EnumerateArray()
            .Select(e => (e.GetProperty("emotion").GetString() ?? "", e.GetProperty("intensity").GetInt32()))
            .OrderByDescending(e => e.Item2).FirstOrDefault(("none", 0));

    public static string TopEmotion(TurnOutputs outputs) => outputs.Snapshot is { } s ? Top(s).Emotion : "none";

    private static string Text(JsonElement element, string field) => element.TryGetProperty(field, out var v) ? v.GetString() ?? "" : "";

    public static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Short(string version) => version.Length > 8 ? version[..8] : version;
}
