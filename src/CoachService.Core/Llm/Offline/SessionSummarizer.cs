using CoachService.Llm.Tasks;
using CoachService.Sessions;

namespace CoachService.Llm.Offline;

/// <summary>
/// Writes the end-of-session summary: the virtue shown and up to five key insights, each
/// tied to a focus category and citing what the user talked about.
/// </summary>
public sealed class SessionSummarizer(ThemeDetector themes, VirtueChooser virtues, EmotionDetector emotions)
{
    private const int MaxInsights = 5;
    private const int MaxInsightLength = 500;

    public SessionSummarizer()
        : this(new ThemeDetector(), new VirtueChooser(), new EmotionDetector())
    {
    }

    private static readonly IReadOnlyDictionary<string, string> Observation = new Dictionary<string, string>
    {
        [ThemeDetector.StressManagement] = "Stress was a thread through this session",
        [ThemeDetector.GoalAchievement] = "You kept coming back to what you want to achieve",
        [ThemeDetector.Relationships] = "The people in your life mattered a lot in this conversation",
        [ThemeDetector.SelfWorth] = "How you judge yourself came up",
        [ThemeDetector.EmotionalRegulation] = "Strong feelings and how you respond to them came up",
        [ThemeDetector.WorkLifeBalance] = "Work and the room it leaves for the rest of life came up",
        [ThemeDetector.PersonalGrowth] = "You talked about learning and growing",
        [ThemeDetector.Mindfulness] = "You paid attention to the present moment",
    };

    private static readonly IReadOnlyDictionary<string, string> NextStep = new Dictionary<string, string>
    {
        [ThemeDetector.StressManagement] = "Naming what drives the stress is the first step to easing it.",
        [ThemeDetector.GoalAchievement] = "Breaking it into one small weekly step keeps it moving.",
        [ThemeDetector.Relationships] = "One honest conversation could change how this feels.",
        [ThemeDetector.SelfWorth] = "Try speaking to yourself the way you would to a good friend.",
        [ThemeDetector.EmotionalRegulation] = "A pause of a few breaths before reacting gives you a choice.",
        [ThemeDetector.WorkLifeBalance] = "A clear end to the working day protects the rest of it.",
        [ThemeDetector.PersonalGrowth] = "Curiosity like this grows with a little regular practice.",
        [ThemeDetector.Mindfulness] = "A short daily pause keeps this awareness alive.",
    };

    public SessionSummaryResult Summarize(string? transcript)
    {
        var userText = TranscriptReader.UserText(transcript);
        var found = themes.Detect(userText);
        var virtue = virtues.Choose(userText, found);

        var insights = found
            .Take(MaxInsights - 1)
            .Select(theme => new KeyInsight(
                TextCraft.Truncate($"{Observation[theme.Category]} ({TextCraft.Quoted(theme.Evidence.Take(3))}). {NextStep[theme.Category]}", MaxInsightLength),
                theme.Category,
                Math.Clamp(1 + theme.Score, 1, 5)))
            .ToList();

        var feeling = emotions.Dominant(userText);
        if (feeling.Emotion != EmotionLexicon.Neutral.Name && insights.Count < MaxInsights)
        {
            var category = EmotionLexicon.Get(feeling.Emotion).IsPleasant ? ThemeDetector.PersonalGrowth : ThemeDetector.EmotionalRegulation;
            insights.Add(new KeyInsight($"The strongest feeling in your words was {feeling.Emotion}. Noticing it is part of working with it.", category, Math.Clamp(feeling.Intensity, 1, 5)));
        }

        if (insights.Count == 0)
        {
            // An honest summary of a session that said little.
            insights.Add(new KeyInsight("This session was brief, so there is not enough yet for a firm insight. Next time, try describing one moment from your day in detail.", ThemeDetector.Mindfulness, 1));
        }

        return new SessionSummaryResult(virtue, insights);
    }
}
