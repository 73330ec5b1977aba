using CoachService.Llm.Tasks;
using CoachService.Sessions;

namespace CoachService.Llm.Offline;

/// <summary>
/// Chooses the virtue a session showed. Each focus category suggests a virtue (stress asks
/// for resilience, relationships for compassion), and a few plain signals override it
/// ("thank" means gratitude, "to be honest" means honesty).
/// </summary>
public sealed class VirtueChooser
{
    private const int MaxName = 40;
    private const int MaxDescription = 300;

    private static readonly IReadOnlyDictionary<string, string> VirtueByCategory = new Dictionary<string, string>
    {
        [ThemeDetector.StressManagement] = "resilience",
        [ThemeDetector.GoalAchievement] = "self-discipline",
        [ThemeDetector.Relationships] = "compassion",
        [ThemeDetector.SelfWorth] = "courage",
        [ThemeDetector.EmotionalRegulation] = "patience",
        [ThemeDetector.WorkLifeBalance] = "balance",
        [ThemeDetector.PersonalGrowth] = "curiosity",
        [ThemeDetector.Mindfulness] = "presence",
    };

    private static readonly (string Virtue, string[] Signals)[] DirectSignals =
    [
        ("gratitude", ["grateful", "gratitude", "thankful", "thank*", "appreciat*", "blessed"]),
        ("honesty", ["honest*", "truth", "admit*", "confess*", "the truth is"]),
        ("hope", ["hope", "hopeful", "hoping", "looking forward", "optimistic", "a way forward"]),
        ("courage", ["brave", "courage", "scared but", "face it", "faced", "stood up", "speak up", "spoke up"]),
    ];

    private static readonly IReadOnlyDictionary<string, string> Meaning = new Dictionary<string, string>
    {
        ["resilience"] = "You stayed with a hard stretch instead of pushing it away",
        ["self-discipline"] = "You kept your attention on what you want to build, step by step",
        ["compassion"] = "You thought about the people around you with care",
        ["courage"] = "You looked honestly at how you see yourself, which takes nerve",
        ["patience"] = "You gave strong feelings room instead of letting them run the show",
        ["balance"] = "You weighed what work takes from you against what you need",
        ["curiosity"] = "You got curious about how you could grow",
        ["presence"] = "You slowed down and noticed what is happening right now",
        ["gratitude"] = "You noticed what is good and said thank you for it",
        ["honesty"] = "You told the truth about where you are, even the uncomfortable part",
        ["hope"] = "You kept a door open to things getting better",
    };

    public VirtueEarned Choose(string? transcript, IReadOnlyList<ThemeFinding> themes)
    {
        var text = AnalyzedText.Of(transcript);
        var direct = DirectSignals
            .Select(signal => (signal.Virtue, Count: signal.Signals.Sum(phrase => text.Count(phrase))))
            .Where(signal => signal.Count > 0)
            .OrderByDescending(signal => signal.Count)
            .FirstOrDefault();

        var topTheme = themes.Count > 0 ? themes[0] : null;
        string virtue;
        if (direct.Virtue is not null && (topTheme is null || direct.Count >= topTheme.Score))
        {
            virtue = direct.Virtue;
        }
        else if (topTheme is not null)
        {
            virtue = VirtueByCategory[topTheme.Category];
        }
        else
        {
            // Nothing to go on: showing up for a session is itself worth naming.
            return new VirtueEarned("commitment", "You showed up and made time for yourself today. That is how every change starts.");
        }

        var description = Meaning[virtue];
        if (topTheme is not null)
        {
            description += $" while talking about {ThemeDetector.Labels[topTheme.Category]}";
            if (topTheme.Evidence.Count > 0)
            {
                description += $" ({TextCraft.JoinNaturally([.. topTheme.Evidence.Take(3)])})";
            }
        }

        return new VirtueEarned(TextCraft.Truncate(virtue, MaxName), TextCraft.Truncate(description + ".", MaxDescription));
    }
}
