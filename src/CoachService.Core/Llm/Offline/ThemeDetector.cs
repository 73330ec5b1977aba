namespace CoachService.Llm.Offline;

/// <summary>One of the eight emotional focus categories of seed 001, found in a text.</summary>
/// <param name="Category">The category name, e.g. "stress_management".</param>
/// <param name="Score">How many of its phrases were found.</param>
/// <param name="Evidence">The lexicon phrases that matched, without wildcards, first few only.</param>
public sealed record ThemeFinding(string Category, int Score, IReadOnlyList<string> Evidence);

/// <summary>Finds which of the eight emotional focus categories a text is about.</summary>
public sealed class ThemeDetector
{
    public const string StressManagement = "stress_management";
    public const string GoalAchievement = "goal_achievement";
    public const string Relationships = "relationships";
    public const string SelfWorth = "self_worth";
    public const string EmotionalRegulation = "emotional_regulation";
    public const string WorkLifeBalance = "work_life_balance";
    public const string PersonalGrowth = "personal_growth";
    public const string Mindfulness = "mindfulness";

    public static IReadOnlyList<string> Categories { get; } =
        [StressManagement, GoalAchievement, Relationships, SelfWorth, EmotionalRegulation, WorkLifeBalance, PersonalGrowth, Mindfulness];

    /// <summary>How each category reads in a sentence.</summary>
    public static IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>
    {
        [StressManagement] = "stress",
        [GoalAchievement] = "your goals",
        [Relationships] = "the people in your life",
        [SelfWorth] = "how you see yourself",
        [EmotionalRegulation] = "handling strong feelings",
        [WorkLifeBalance] = "balancing work and life",
        [PersonalGrowth] = "growing as a person",
        [Mindfulness] = "being present",
    };

    private static readonly IReadOnlyDictionary<string, string[]> Lexicon = new Dictionary<string, string[]>
    {
        [StressManagement] =
        [
            "stress*", "pressure", "deadline*", "overwhelm*", "anxious", "anxiety", "worr*", "panic*", "tense", "nervous*",
            "too much", "swamped", "can't cope", "on edge", "busy",
        ],
        [GoalAchievement] =
        [
            "goal*", "achiev*", "finish*", "progress", "target", "motivat*", "procrastinat*", "plan", "plans", "accomplish*",
            "succeed*", "success", "milestone*", "habit*", "5k", "marathon", "promotion", "want to", "get it done",
        ],
        [Relationships] =
        [
            "partner", "wife", "husband", "boyfriend", "girlfriend", "friend*", "family", "mom", "mum", "dad", "mother", "father",
            "sister", "brother", "kids", "children", "son", "daughter", "relationship*", "marriage", "argu*", "fight*",
            "lonely", "colleague*", "people",
        ],
        [SelfWorth] =
        [
            "not good enough", "worthless", "confiden*", "insecure", "failure", "compar*", "ashamed", "believe in myself",
            "self-esteem", "self esteem", "hate myself", "stupid", "imposter", "impostor", "deserve", "value myself", "proud of myself",
        ],
        [EmotionalRegulation] =
        [
            "angry", "anger", "upset", "cry*", "cried", "mood*", "react*", "snapped", "frustrat*", "temper", "overreact*",
            "outburst", "emotional", "calm down", "mad", "irritat*", "feelings",
        ],
        [WorkLifeBalance] =
        [
            "work", "job", "boss", "office", "overtime", "weekend*", "hours", "burnout", "burnt out", "burned out", "exhausted",
            "rest", "balance", "commute", "emails", "career", "shift*", "vacation", "holiday", "time off",
        ],
        [PersonalGrowth] =
        [
            "learn*", "grow*", "change", "improv*", "new skill", "read*", "course", "better version", "develop*", "curious",
            "challenge myself", "potential", "study*", "practice", "practise", "become",
        ],
        [Mindfulness] =
        [
            "present", "breath*", "meditat*", "mindful*", "notice", "noticing", "moment", "calm", "grateful", "gratitude",
            "peace*", "slow down", "yoga", "journal*", "awareness", "quiet",
        ],
    };

    /// <summary>Categories found in the text, strongest first; ties keep the seed's order.</summary>
    public IReadOnlyList<ThemeFinding> Detect(string? text)
    {
        var analyzed = AnalyzedText.Of(text);
        var findings = new List<ThemeFinding>();
        foreach (var category in Categories)
        {
            var score = 0;
            var evidence = new List<string>();
            foreach (var phrase in Lexicon[category])
            {
                var hits = analyzed.Find(phrase).Where(hit => !hit.Negated).ToList();
                if (hits.Count == 0)
                {
                    continue;
                }

                score += hits.Count;
                var first = hits[0];
                var matched = string.Join(' ', analyzed.Clauses[first.Clause].Skip(first.Start).Take(first.Length));
                if (!evidence.Contains(matched))
                {
                    evidence.Add(matched);
                }
            }

            if (score > 0)
            {
                findings.Add(new ThemeFinding(category, score, [.. evidence.Take(4)]));
            }
        }

        return [.. findings.OrderByDescending(finding => finding.Score).ThenBy(finding => Categories.IndexOf(finding.Category))];
    }
}

internal static class ListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], item))
            {
                return i;
            }
        }

        return -1;
    }
}
