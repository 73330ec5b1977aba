using System.Text.RegularExpressions;
using CoachService.Goals;
using CoachService.Llm.Tasks;

namespace CoachService.Llm.Offline;

/// <summary>
/// Turns what the user said they want ("I want to run a 5k") into SMART goals: their words
/// are the specific part, a count or frequency makes it measurable, a small start keeps it
/// achievable, the category says why it is relevant, and a timeframe (theirs when they gave
/// one) makes it time-bound. With no wish stated, it suggests one from the session's themes.
/// </summary>
public sealed partial class SmartGoalBuilder(ThemeDetector themes)
{
    public const string EmotionalWellness = "emotional_wellness";
    public const string PersonalGrowth = "personal_growth";
    public const string Relationships = "relationships";
    public const string Career = "career";
    public const string Health = "health";
    public const string Mindfulness = "mindfulness";

    public static IReadOnlyList<string> GoalTypes { get; } = [EmotionalWellness, PersonalGrowth, Relationships, Career, Health, Mindfulness];

    private const int MaxGoals = 3;
    private const int MaxDescription = 300;
    private const int MaxSmartGoal = 500;
    private const int MaxTimeframe = 60;

    public SmartGoalBuilder()
        : this(new ThemeDetector())
    {
    }

    private static readonly (string Category, string[] Keywords)[] CategoryKeywords =
    [
        (Health, ["run", "running", "jog", "5k", "10k", "marathon", "exercise", "gym", "workout", "work out", "fit", "fitness", "sleep", "eat", "eating", "diet", "weight", "walk", "walking", "swim", "cycle", "bike", "health", "healthy", "water", "smoking", "drink less", "alcohol", "stretch", "steps", "sugar"]),
        (Mindfulness, ["meditate", "meditation", "mindful", "mindfulness", "breathe", "breathing", "present", "yoga", "slow down", "gratitude", "grateful", "pause"]),
        (Relationships, ["partner", "wife", "husband", "friend", "friends", "family", "mom", "mum", "dad", "parents", "kids", "children", "son", "daughter", "relationship", "date", "connect", "call", "visit", "people", "colleagues"]),
        (Career, ["job", "career", "promotion", "boss", "business", "salary", "raise", "interview", "project", "client", "clients", "work", "team", "manager", "resume", "cv", "portfolio", "startup", "office"]),
        (PersonalGrowth, ["learn", "read", "book", "books", "course", "language", "spanish", "french", "skill", "skills", "habit", "confidence", "confident", "grow", "write", "writing", "guitar", "piano", "paint", "study", "speak up", "public speaking", "procrastinating"]),
        (EmotionalWellness, ["stress", "stressed", "anxiety", "anxious", "calm", "calmer", "feel", "happier", "mood", "worry", "worrying", "journal", "therapy", "cry", "kinder to myself", "overthinking", "relax"]),
    ];

    private static readonly IReadOnlyDictionary<string, string> DefaultTimeframe = new Dictionary<string, string>
    {
        [Health] = "8 weeks",
        [Mindfulness] = "3 weeks",
        [Relationships] = "4 weeks",
        [Career] = "30 days",
        [PersonalGrowth] = "6 weeks",
        [EmotionalWellness] = "2 weeks",
    };

    private static readonly IReadOnlyDictionary<string, string> Relevance = new Dictionary<string, string>
    {
        [Health] = "your health and energy",
        [Mindfulness] = "your ability to stay present",
        [Relationships] = "the relationships that matter to you",
        [Career] = "your work and career",
        [PersonalGrowth] = "your personal growth",
        [EmotionalWellness] = "your emotional wellbeing",
    };

    // Specific activities get specific measures; the rest get their category's.
    private static readonly (string[] Keywords, string Measure)[] ActivityMeasures =
    [
        (["run", "running", "jog", "5k", "10k", "marathon"], "3 training runs a week, starting with run-walk intervals and adding a few minutes of running each week"),
        (["walk", "walking", "steps"], "a 20-minute walk on 5 days a week"),
        (["sleep"], "lights out at the same time on at least 5 nights a week"),
        (["gym", "workout", "work out", "exercise", "fit", "fitness", "swim", "cycle", "bike"], "3 workouts of at least 20 minutes a week"),
        (["eat", "eating", "diet", "sugar", "weight"], "home-cooked meals on at least 4 days a week"),
        (["water"], "6 glasses of water a day"),
        (["meditate", "meditation", "mindful", "mindfulness", "breathe", "breathing"], "10 minutes of practice a day on at least 5 days a week"),
        (["read", "book", "books"], "20 pages on 5 days a week"),
        (["journal"], "a short journal entry on 5 evenings a week"),
        (["call", "visit", "connect"], "one call or visit 2 times a week"),
    ];

    private static readonly IReadOnlyDictionary<string, string> CategoryMeasures = new Dictionary<string, string>
    {
        [Health] = "3 sessions a week, ticked off in a simple log",
        [Mindfulness] = "10 minutes of practice a day on at least 5 days a week",
        [Relationships] = "one intentional moment of connection 2 times a week, such as a call or a shared meal",
        [Career] = "one concrete step each weekday, such as an email, an application or an hour of focused work",
        [PersonalGrowth] = "30 minutes of practice 4 times a week",
        [EmotionalWellness] = "a 5-minute check-in each evening, rating your mood from 1 to 5",
    };

    // With no wish stated, a concrete habit for the session's main theme; each is a goal a person could put on a list.
    private static readonly IReadOnlyDictionary<string, (string Category, string Wish, string Timeframe)> FallbackByTheme = new Dictionary<string, (string, string, string)>
    {
        [ThemeDetector.StressManagement] = (EmotionalWellness, "take a 10-minute wind-down break each evening to ease stress", "2 weeks"),
        [ThemeDetector.GoalAchievement] = (PersonalGrowth, "spend 30 minutes twice a week on the goal you care about most", "6 weeks"),
        [ThemeDetector.Relationships] = (Relationships, "have one unhurried call or meal with someone close each week", "4 weeks"),
        [ThemeDetector.SelfWorth] = (EmotionalWellness, "write down one thing you did well each evening", "2 weeks"),
        [ThemeDetector.EmotionalRegulation] = (EmotionalWellness, "take three slow breaths before you reply when feelings run high", "2 weeks"),
        [ThemeDetector.WorkLifeBalance] = (Career, "stop work by 18:00 on weekdays", "4 weeks"),
        [ThemeDetector.PersonalGrowth] = (PersonalGrowth, "practise the skill you are curious about for 30 minutes 4 times a week", "6 weeks"),
        [ThemeDetector.Mindfulness] = (Mindfulness, "meditate for 10 minutes on 5 days a week", "3 weeks"),
    };

    // A stated wish with one of these is an outcome to reach ("run a 5k within 8 weeks"); otherwise a habit to keep ("for the next 4 weeks").
    private static readonly string[] OutcomeWords =
        ["5k", "10k", "marathon", "learn", "finish", "pass", "get", "find", "write", "build", "launch", "save", "lose", "become", "apply", "complete"];

    public GoalSuggestionsResult Suggest(string? transcript, IReadOnlyList<string> activeGoals)
    {
        var userText = TranscriptReader.UserText(transcript);
        var goals = new List<SuggestedGoal>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var wish in StatedWishes(userText))
        {
            if (goals.Count == MaxGoals || !seen.Add(wish.Text) || AlreadyActive(wish.Text, activeGoals))
            {
                continue;
            }

            goals.Add(Build(wish.Text, Categorize(wish.Text), wish.Timeframe, wish.TimeframePhrase, priority: Math.Clamp(wish.Emphasis + 4 - goals.Count, 1, 5), stated: true, wish.IsAction));
        }

        if (goals.Count == 0)
        {
            var topTheme = themes.Detect(userText).FirstOrDefault();
            var (category, wish, timeframe) = topTheme is null
                ? (EmotionalWellness, "check in with how you feel for 5 minutes each evening", "2 weeks")
                : FallbackByTheme[topTheme.Category];
            goals.Add(Build(wish, category, timeframe, timeframePhrase: null, priority: topTheme is null ? 2 : 3, stated: false, isAction: true));
        }

        return new GoalSuggestionsResult(goals);
    }

    /// <summary>
    /// The description is the goal's title (accepting a suggestion stores it as the goal's text),
    /// so it is the goal itself with its timeframe, never commentary about it.
    /// </summary>
    private static SuggestedGoal Build(string wish, string category, string? timeframe, string? timeframePhrase, int priority, bool stated, bool isAction)
    {
        var specific = TextCraft.ToSecondPerson(wish);
        var frame = timeframe ?? DefaultTimeframe[category];
        var measure = ActivityMeasures.FirstOrDefault(activity => activity.Keywords.Any(keyword => ContainsWord(wish, keyword))).Measure
            ?? CategoryMeasures[category];

        var action = isAction ? specific : "work towards " + specific;
        var outcome = stated && OutcomeWords.Any(word => ContainsWord(wish, word));
        var when = timeframePhrase ?? (frame.StartsWith("by ", StringComparison.Ordinal) ? frame : (outcome ? "within " : "for the next ") + frame);
        var description = $"{TextCraft.Capitalize(action)} {when}";
        var smartGoal = $"{TextCraft.Capitalize(action)}. Measure it with {measure}. " +
            "Start at about half of what feels possible and build up each week. " +
            $"It matters because it supports {Relevance[category]}. Review your progress {(frame.StartsWith("by ", StringComparison.Ordinal) ? frame : "in " + frame)}.";

        return new SuggestedGoal(
            category,
            TextCraft.Truncate(description, MaxDescription),
            TextCraft.Truncate(smartGoal, MaxSmartGoal),
            TextCraft.Truncate(frame, MaxTimeframe),
            Math.Clamp(priority, 1, 5));
    }

    private static string Categorize(string wish)
    {
        var best = CategoryKeywords
            .Select(entry => (entry.Category, Score: entry.Keywords.Count(keyword => ContainsWord(wish, keyword))))
            .OrderByDescending(entry => entry.Score)
            .First();
        return best.Score > 0 ? best.Category : PersonalGrowth;
    }

    private static bool ContainsWord(string text, string keyword)
        => Regex.IsMatch(text, $@"\b{Regex.Escape(keyword)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static bool AlreadyActive(string wish, IReadOnlyList<string> activeGoals)
    {
        var wishWords = TextCraft.ContentStems(wish);
        return wishWords.Count > 0 && activeGoals.Any(goal =>
        {
            var goalWords = TextCraft.ContentStems(goal);
            return (double)wishWords.Count(goalWords.Contains) / wishWords.Count >= 0.6;
        });
    }

    private static IEnumerable<StatedWish> StatedWishes(string text)
    {
        foreach (Match match in WishPattern().Matches(text.Replace('\u2019', '\'')))
        {
            var words = AnalyzedText.Of(match.Groups["wish"].Value).WrittenClauses.SelectMany(clause => clause);
            var kept = TextCraft.Clip(words.TakeWhile(word => word.ToLowerInvariant() is not ("because" or "so" or "since" or "although" or "though")), 14);

            if (kept.Count == 0)
            {
                continue;
            }

            var wish = string.Join(' ', kept);
            var timeframe = Timeframe().Match(wish);
            if (timeframe.Success)
            {
                wish = wish.Remove(timeframe.Index, timeframe.Length).Trim();
            }

            var emphasis = match.Groups["lead"].Value.Contains("really", StringComparison.OrdinalIgnoreCase)
                || match.Groups["lead"].Value.Contains("need", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            if (wish.Length > 0)
            {
                var isAction = !match.Groups["lead"].Value.EndsWith(" is", StringComparison.OrdinalIgnoreCase);
                yield return new StatedWish(wish, timeframe.Success ? TimeframeText(timeframe.Value) : null, timeframe.Success ? timeframe.Value.Trim() : null, emphasis, isAction);
            }
        }
    }

    private static string TimeframeText(string phrase)
    {
        var trimmed = phrase.Trim();
        return trimmed.StartsWith("in ", StringComparison.Ordinal) || trimmed.StartsWith("within ", StringComparison.Ordinal)
            ? trimmed[(trimmed.IndexOf(' ') + 1)..]
            : trimmed;
    }

    private sealed record StatedWish(string Text, string? Timeframe, string? TimeframePhrase, int Emphasis, bool IsAction);

    [GeneratedRegex(@"(?<lead>\bi (really |truly |would really )?(want|wanna|need|plan|hope|intend|aim) to|\bi'd (really )?(like|love) to|\bi would (really )?(like|love) to|\bmy goal is( to)?|\bi wish i could|\bi'm going to|\bi am going to|\bi'm gonna)\s+(?<wish>.+?)(?=[.!?;\n]|,\s*(and\s+)?(i|i'd|i'm|my)\b|\s+and\s+(i|i'd|i'm|my)\b|$)", RegexOptions.IgnoreCase)]
    private static partial Regex WishPattern();

    [GeneratedRegex(@"\b((in|within) (the next )?(\d+|a|one|two|three|four|five|six|ten|twelve) (days?|weeks?|months?|years?)|by (the end of )?(the |next |this )?(week|month|year|summer|spring|autumn|fall|winter|christmas|january|february|march|april|may|june|july|august|september|october|november|december))\b", RegexOptions.IgnoreCase)]
    private static partial Regex Timeframe();
}
