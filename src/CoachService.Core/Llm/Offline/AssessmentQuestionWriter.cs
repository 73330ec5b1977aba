namespace CoachService.Llm.Offline;

/// <summary>
/// Asks the onboarding assessment's questions in a fixed order, each one chosen to surface
/// DISC and Enneagram signals, and briefly reflects the previous answer first.
/// </summary>
public sealed class AssessmentQuestionWriter
{
    private static readonly string[] Questions =
    [
        "What does a really good day look like for you?",
        "When a problem lands in your lap, what do you usually do first?",
        "How do you make a big decision, quickly on instinct or after weighing everything up?",
        "What do the people close to you count on you for?",
        "What tends to stress you out, and how do you react when it does?",
        "When you're part of a group, what role do you naturally take?",
        "What matters most to you, deep down?",
        "What would you most like to change in your life over the next few months?",
    ];

    public static int QuestionCount => Questions.Length;

    public string Write(string? userName, int questionNumber, string? previousAnswer)
    {
        var name = userName?.Trim() ?? string.Empty;
        var question = questionNumber >= 1 && questionNumber <= Questions.Length
            ? Questions[questionNumber - 1]
            : "Is there anything else you'd like me to know about you before we begin?";

        if (questionNumber <= 1 && string.IsNullOrWhiteSpace(previousAnswer))
        {
            var greeting = name.Length > 0 ? $"Hi {name}, let's get to know each other." : "Hi, let's get to know each other.";
            return $"{greeting} There are no right or wrong answers. {question}";
        }

        var echo = Echo(previousAnswer);
        var thanks = name.Length > 0 ? $"Thanks, {name}." : "Thanks.";
        return echo.Length > 0 ? $"{thanks} {echo} {question}" : $"{thanks} {question}";
    }

    private static string Echo(string? answer)
    {
        var text = AnalyzedText.Of(answer);
        var clause = text.WrittenClauses.OrderByDescending(words => Math.Min(words.Count, 10)).FirstOrDefault();
        if (clause is null || clause.Count < 3)
        {
            return string.Empty;
        }

        var words = TextCraft.ToSecondPerson(TextCraft.Clip(clause, 10));
        return $"You said {TextCraft.Plain(words)}.";
    }
}
