using CoachService.Llm.Tasks;
using CoachService.Safety;

namespace CoachService.Llm.Offline;

/// <summary>What the coach reply is written from: the coach_reply prompt's inputs.</summary>
public sealed record CoachReplyRequest(
    string? Persona,
    string? UserName,
    string? DiscType,
    string? EnneagramType,
    IReadOnlyList<string> ActiveGoals,
    IReadOnlyList<string> RecentInsights,
    string Message);

/// <summary>
/// Writes the coach's spoken reply: it reflects the user's own words and feeling back,
/// optionally links them to an active goal, adds the persona's signature move and ends with
/// one follow-up question chosen for the user's DISC style. Choices between equivalent
/// phrasings come from a hash of the input, so the same turn always gets the same reply.
/// </summary>
public sealed class PersonaReplyWriter(EmotionDetector emotions, LocalCrisisScreen crisis)
{
    private const int MaxReflectionWords = 14;

    private static readonly string[] DiscOrder = ["D", "I", "S", "C"];

    private static readonly HashSet<string> Filler = ["and", "so", "well", "like", "honestly", "um", "uh", "anyway", "also", "just", "then", "oh", "yeah", "ok", "okay", "hi", "hey"];

    public PersonaReplyWriter()
        : this(new EmotionDetector(), new LocalCrisisScreen())
    {
    }

    public string Write(CoachReplyRequest request)
    {
        var name = request.UserName?.Trim() ?? string.Empty;
        var voice = PersonaVoice.For(request.Persona);
        var seed = TextCraft.StableHash(request.Persona, name, request.Message);

        if (string.IsNullOrWhiteSpace(request.Message))
        {
            return Join(WithName(TextCraft.Pick(voice.Openers, seed), name), voice.EmptyTurn);
        }

        if (crisis.Screen(request.Message).IsCrisis)
        {
            // A crisis turn gets the same safety reply in every persona: clarity over style.
            return Join(
                WithName("{name}, I'm really glad you told me.", name),
                "What you're describing sounds serious, and you deserve support right now.",
                "Please call your local emergency number, or a crisis line such as 988 in the US or 116 123 in the UK and Ireland.",
                "Are you safe right now?");
        }

        var text = AnalyzedText.Of(request.Message);
        var feeling = emotions.Dominant(request.Message);
        var sentences = new List<string> { WithName(TextCraft.Pick(voice.Openers, seed), name) };

        var reflection = Reflection(text, feeling.Emotion);
        if (reflection.Length > 0)
        {
            var frames = reflection.StartsWith("you", StringComparison.Ordinal) ? voice.Reflections : voice.Mentions;
            sentences.Add(TextCraft.Capitalize(TextCraft.Pick(frames, seed, 1).Replace("{reflection}", reflection)));
        }

        var entry = EmotionLexicon.Get(feeling.Emotion);
        var feelingLines = feeling.Emotion == EmotionLexicon.Neutral.Name ? voice.NoFeeling : entry.IsPleasant ? voice.GoodFeelings : voice.HardFeelings;
        sentences.Add(TextCraft.Pick(feelingLines, seed, 2).Replace("{emotion}", feeling.Emotion));

        var goal = RelatedGoal(text, request.ActiveGoals);
        if (goal is not null)
        {
            sentences.Add(TextCraft.Pick(voice.GoalNods, seed, 3).Replace("{goal}", goal));
        }

        var insight = RelatedInsight(text, request.RecentInsights);
        if (insight is not null && request.Persona == CoachPersona.WiseMentor)
        {
            sentences.Add($"Earlier you noticed this: {insight}.");
        }

        sentences.Add(TextCraft.Pick(voice.Perspectives, seed, 4));
        sentences.Add(Question(voice, request.DiscType, seed));
        return Join([.. sentences]);
    }

    /// <summary>
    /// The user's most telling clause, in their words turned to "you": the one with the most
    /// emotion words, else the longest, cut to a dozen words.
    /// </summary>
    private static string Reflection(AnalyzedText text, string emotion)
    {
        if (text.Clauses.Count == 0)
        {
            return string.Empty;
        }

        var phrases = EmotionLexicon.All.SelectMany(entry => entry.Phrases).ToList();
        var best = Enumerable.Range(0, text.Clauses.Count)
            .Select(index => (
                Index: index,
                Emotional: phrases.Count(phrase => text.Find(phrase).Any(hit => hit.Clause == index)),
                Length: text.Clauses[index].Count))
            .Where(clause => clause.Length >= 2 || text.Clauses.Count == 1)
            .OrderByDescending(clause => clause.Emotional)
            .ThenByDescending(clause => Math.Min(clause.Length, MaxReflectionWords))
            .ThenBy(clause => clause.Index)
            .Select(clause => clause.Index)
            .DefaultIfEmpty(0)
            .First();

        var words = TextCraft.Clip(text.WrittenClauses[best].SkipWhile(word => Filler.Contains(word.ToLowerInvariant())), MaxReflectionWords);
        return words.Count == 0 ? string.Empty : TextCraft.Plain(TextCraft.ToSecondPerson(words));
    }

    /// <summary>An active goal that shares a meaningful word with the message.</summary>
    private static string? RelatedGoal(AnalyzedText text, IReadOnlyList<string> goals)
    {
        var stems = TextCraft.ContentStems(text.Original);
        var related = goals.FirstOrDefault(goal => TextCraft.ContentStems(goal).Overlaps(stems));
        var mentionsGoals = stems.Overlaps(["goal", "progress", "plan", "target"]);
        var goal = related ?? (mentionsGoals ? goals.FirstOrDefault() : null);
        return goal is null ? null : TextCraft.Plain(TextCraft.LowerFirst(TextCraft.FirstWords(goal.Trim().TrimEnd('.', '!'), 14)));
    }

    private static string? RelatedInsight(AnalyzedText text, IReadOnlyList<string> insights)
    {
        var stems = TextCraft.ContentStems(text.Original).Where(stem => stem.Length > 3).ToHashSet();
        var related = insights.FirstOrDefault(insight => TextCraft.ContentStems(insight).Overlaps(stems));
        return related is null ? null : TextCraft.Plain(TextCraft.LowerFirst(TextCraft.FirstWords(related.Trim().TrimEnd('.', '!'), 16)));
    }

    private static string Question(PersonaVoice voice, string? discType, uint seed)
    {
        var index = Array.IndexOf(DiscOrder, discType?.Trim().ToUpperInvariant());
        return index >= 0 ? voice.QuestionsByDisc[index] : TextCraft.Pick(voice.QuestionsByDisc, seed, 5);
    }

    private static string WithName(string line, string name)
    {
        if (name.Length > 0)
        {
            return line.Replace("{name}", name);
        }

        return TextCraft.Capitalize(line.Replace(", {name}", string.Empty).Replace("{name}, ", string.Empty).Replace(" {name}", string.Empty).Trim());
    }

    private static string Join(params string[] sentences) => string.Join(' ', sentences.Where(sentence => sentence.Length > 0));
}
