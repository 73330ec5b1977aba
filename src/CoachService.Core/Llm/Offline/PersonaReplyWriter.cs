using System.Text.RegularExpressions;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using CoachService.Safety;

namespace CoachService.Llm.Offline;

/// <summary>One earlier message of the session, oldest first.</summary>
public sealed record ConversationTurn(bool FromUser, string Text);

/// <summary>What the coach reply is written from: the coach_reply prompt's inputs and the session so far.</summary>
public sealed record CoachReplyRequest(
    string? Persona,
    string? UserName,
    string? DiscType,
    string? EnneagramType,
    IReadOnlyList<string> ActiveGoals,
    IReadOnlyList<string> RecentInsights,
    string Message,
    string? Language = null,
    IReadOnlyList<ConversationTurn>? History = null);

/// <summary>
/// Writes the coach's spoken reply in the user's language: it answers or acknowledges a question,
/// reflects the user's most telling clause whole and in their own spelling, recalls an earlier
/// turn, names the feeling, links an active goal, and ends with one question. DISC shapes the
/// structure (D gets a short reply without the feeling talk; I energy, S steadiness, C reasons)
/// and the Enneagram type chooses a line about its core motivation. Variety comes from the
/// session's history: a stock sentence the coach already said in this session is not said again.
/// Equal requests get equal replies; there is no clock, random or mutable state.
/// </summary>
public sealed partial class PersonaReplyWriter(EmotionDetector emotions, LocalCrisisScreen crisis)
{
    private const int LongClauseWords = 20;

    private static readonly string[] DiscOrder = ["D", "I", "S", "C"];

    private static readonly HashSet<string> Filler =
    [
        "and", "so", "well", "like", "honestly", "um", "uh", "anyway", "also", "just", "then", "oh", "yeah", "ok", "okay", "hi", "hey",
        "entao", "bom", "olha", "tipo", "ai", "pues", "bueno", "entonces", "mira", "oye", "alors", "bon", "ben", "euh", "enfin", "bref",
    ];

    private static readonly HashSet<string> Joints = ["and", "because", "so", "e", "porque", "y", "et", "car", "parce"];

    public PersonaReplyWriter()
        : this(new EmotionDetector(), new LocalCrisisScreen())
    {
    }

    public string Write(CoachReplyRequest request)
    {
        var name = request.UserName?.Trim() ?? string.Empty;
        var phrases = ReplyPhrases.For(request.Language);
        var voice = PersonaVoice.For(request.Persona, phrases.Language);
        var history = request.History ?? [];
        var reply = new Reply(history, TextCraft.StableHash(request.Persona, name, request.Message), name);

        if (string.IsNullOrWhiteSpace(request.Message))
        {
            reply.Add(voice.Openers);
            reply.AddAlways(voice.EmptyTurn);
            return reply.Text;
        }

        if (crisis.Screen(request.Message).IsCrisis)
        {
            // A crisis turn gets the same safety reply in every persona: clarity over style.
            return string.Join(' ', phrases.Crisis.Select(line => WithName(line, name)));
        }

        var disc = Array.IndexOf(DiscOrder, request.DiscType?.Trim().ToUpperInvariant());
        var brief = disc == 0;
        var text = AnalyzedText.Of(request.Message);
        var english = phrases.Language == "en";

        reply.Add(voice.Openers);

        var folded = " " + string.Join(' ', text.Words) + " ";
        if (RepeatRequest().IsMatch(folded) && LastQuestion(history) is { } previous)
        {
            // "Can you say that again?": the coach's last question, asked again, is this turn's question.
            reply.Add(phrases.Repeats, line => line.Replace("{question}", TextCraft.LowerFirst(previous)));
            return reply.Text;
        }

        var adviceGiven = false;
        var asked = Enumerable.Range(0, text.Clauses.Count).LastOrDefault(i => text.QuestionClauses[i], -1);
        if (asked >= 0)
        {
            var indirect = english ? IndirectQuestion(text.WrittenClauses[asked]) : null;
            if (indirect is null || !reply.Add(phrases.Asked, line => line.Replace("{asked}", indirect)))
            {
                reply.Add(phrases.QuestionAcks);
            }

            if (AdviceRequest().IsMatch(folded))
            {
                // The advice is a persona line the session has not heard, introduced as an idea.
                var unheard = voice.Perspectives.Where(perspective => !reply.Heard(perspective)).ToList();
                var advice = unheard.Count > 0 ? unheard[(int)(reply.Seed % (uint)unheard.Count)] : null;
                adviceGiven = advice is not null && reply.Add(phrases.AdviceLeads, line => line.Replace("{advice}", Advice(advice)));
                if (adviceGiven)
                {
                    reply.MarkHeard(advice!);
                }
            }
        }

        var best = BestClause(text);
        if (best is not null)
        {
            Reflect(reply, phrases, best);
        }

        Recall(reply, phrases, history, text);

        if (!brief)
        {
            var feeling = emotions.Dominant(request.Message);
            var entry = EmotionLexicon.Get(feeling.Emotion);
            var lines = feeling.Emotion == EmotionLexicon.Neutral.Name ? phrases.NoFeeling : entry.IsPleasant ? phrases.GoodFeelings : phrases.HardFeelings;
            reply.Add(lines, line => line.Replace("{emotion}", phrases.Emotion(feeling.Emotion)));
        }

        if (RelatedGoal(text, request.ActiveGoals) is { } goal)
        {
            var spoken = english ? TextCraft.ToSecondPerson(goal) : goal;
            reply.Add(phrases.GoalNods, line => line.Replace("{goal}", spoken));
        }

        if ((request.Persona == CoachPersona.WiseMentor || disc == 3) && RelatedInsight(text, request.RecentInsights) is { } insight)
        {
            reply.Add(phrases.InsightNods, line => line.Replace("{insight}", insight));
        }

        switch (disc)
        {
            case 1:
                reply.Add(phrases.Energy);
                break;
            case 2:
                reply.Add(phrases.Steadiness);
                break;
            case 3:
                reply.Add(phrases.Reasons);
                break;
        }

        var enneagram = int.TryParse(request.EnneagramType, out var type) && type is >= 1 and <= 9 ? phrases.Enneagram[type - 1] : [];
        if (!reply.Add(enneagram) && !adviceGiven)
        {
            reply.Add(voice.Perspectives);
        }

        reply.AddQuestion(Questions(voice, phrases, disc, reply.Seed));
        return reply.Text;
    }

    /// <summary>The question pools in the order they are tried: the persona's line for the DISC style first.</summary>
    private static IReadOnlyList<IReadOnlyList<string>> Questions(PersonaVoice voice, ReplyPhrases phrases, int disc, uint seed)
    {
        if (disc < 0)
        {
            return [Rotate(voice.QuestionsByDisc, seed), Rotate([.. voice.Questions, .. phrases.Questions], seed)];
        }

        return
        [
            voice.QuestionsByDisc.Count > disc ? [voice.QuestionsByDisc[disc]] : [],
            Rotate(phrases.DiscQuestions[disc], seed),
            Rotate([.. voice.Questions, .. phrases.Questions], seed),
        ];
    }

    private static IReadOnlyList<string> Rotate(IReadOnlyList<string> items, uint seed)
        => items.Count == 0 ? items : [.. items.Skip((int)(seed % (uint)items.Count)), .. items.Take((int)(seed % (uint)items.Count))];

    private static string Advice(string perspective) => TextCraft.LowerFirst(perspective);

    private static void Reflect(Reply reply, ReplyPhrases phrases, IReadOnlyList<string> words)
    {
        if (phrases.Language != "en")
        {
            var quote = TextCraft.Plain(string.Join(' ', words));
            reply.Add(words.Count >= 3 ? phrases.Reflections : phrases.Topics, line => line.Replace("{words}", quote));
            return;
        }

        var reflection = TextCraft.Plain(TextCraft.ToSecondPerson(words));
        var frames = reflection.StartsWith("you", StringComparison.Ordinal) ? phrases.Reflections
            : HasVerb(words) ? phrases.Statements
            : phrases.Topics;
        reply.Add(frames, line => line.Replace("{words}", reflection));
    }

    /// <summary>
    /// Brings back an earlier turn: the latest one that shares a meaningful word with this
    /// message, or, every third turn, the oldest one the coach has not yet brought back.
    /// </summary>
    private static void Recall(Reply reply, ReplyPhrases phrases, IReadOnlyList<ConversationTurn> history, AnalyzedText text)
    {
        var earlier = history.Where(turn => turn.FromUser && !string.IsNullOrWhiteSpace(turn.Text)).Select(turn => turn.Text).ToList();
        if (earlier.Count == 0)
        {
            return;
        }

        var stems = TextCraft.ContentStems(text.Original).Where(stem => stem.Length > 3).ToHashSet();
        var candidates = earlier.AsEnumerable().Reverse()
            .Where(turn => turn != text.Original && TextCraft.ContentStems(turn).Overlaps(stems))
            .ToList();
        if (earlier.Count % 3 == 2)
        {
            candidates.AddRange(earlier);
        }

        foreach (var turn in candidates)
        {
            if (BestClause(AnalyzedText.Of(turn)) is not { } words)
            {
                continue;
            }

            var recalled = phrases.Language == "en" ? TextCraft.Plain(TextCraft.ToSecondPerson(words)) : TextCraft.Plain(string.Join(' ', words));
            // Once reflected in its own turn is expected; a second time means it was already brought back.
            if (reply.TimesSaid(recalled) < 2 && reply.Add(phrases.Earlier, line => line.Replace("{words}", recalled)))
            {
                return;
            }
        }
    }

    /// <summary>
    /// The user's most telling statement, whole: the clause with the most emotion words, else the
    /// longest. A clause of more than twenty words is narrowed to the part around "and" or
    /// "because" that carries the feeling, never cut in the middle.
    /// </summary>
    private static IReadOnlyList<string>? BestClause(AnalyzedText text)
    {
        var statements = Enumerable.Range(0, text.Clauses.Count).Where(i => !text.QuestionClauses[i]).ToList();
        if (statements.Count == 0)
        {
            return null;
        }

        var best = statements
            .Select(index => (Index: index, Emotional: Emotional(text.Clauses[index]), Length: text.Clauses[index].Count))
            .Where(clause => clause.Length >= 2 || statements.Count == 1)
            .OrderBy(clause => Courtesy.Contains(text.Clauses[clause.Index][0]))
            .ThenByDescending(clause => clause.Emotional)
            .ThenByDescending(clause => Math.Min(clause.Length, LongClauseWords))
            .ThenBy(clause => clause.Index)
            .Select(clause => clause.Index)
            .DefaultIfEmpty(statements[0])
            .First();

        var written = text.WrittenClauses[best].SkipWhile(word => Filler.Contains(AnalyzedText.Fold(word))).ToList();
        if (best > 0 && written.Count > 1 && Degree.Contains(AnalyzedText.Fold(written[0])) && Subject(text.Clauses[best - 1]) is { } subject)
        {
            // "I'm nervous, but also a bit proud": the second clause borrows the first one's "I'm".
            written.InsertRange(0, subject);
        }

        if (written.Count > LongClauseWords)
        {
            written = Narrow(written);
        }

        while (written.Count > 1 && Joints.Contains(AnalyzedText.Fold(written[^1])))
        {
            written.RemoveAt(written.Count - 1);
        }

        return written.Count == 0 ? null : written;
    }

    private static readonly HashSet<string> Courtesy = ["thanks", "thank", "obrigada", "obrigado", "gracias", "merci", "hi", "hello", "ola", "hola", "bonjour", "sorry", "ok", "okay"];

    // Words that open a clause without a subject of its own ("but also a bit proud", "yet really tired").
    private static readonly HashSet<string> Degree = ["a", "really", "very", "quite", "pretty", "too", "totally", "super", "kind", "more", "less", "not", "still", "a bit", "completely"];

    private static string[]? Subject(IReadOnlyList<string> clause) => clause switch
    {
        ["i'm", ..] => ["I'm"],
        ["i", "am", ..] => ["I", "am"],
        ["i", "was", ..] => ["I", "was"],
        ["i", "feel", ..] => ["I", "feel"],
        ["i", "felt", ..] => ["I", "felt"],
        _ => null,
    };

    private static List<string> Narrow(List<string> words)
    {
        var parts = new List<List<string>> { new() };
        foreach (var word in words)
        {
            if (Joints.Contains(AnalyzedText.Fold(word)) && parts[^1].Count >= 3)
            {
                parts.Add([]);
                continue;
            }

            parts[^1].Add(word);
        }

        var usable = parts.Where(part => part.Count >= 3).ToList();
        return usable.Count < 2 ? words : usable.OrderByDescending(part => Emotional([.. part.Select(AnalyzedText.Fold)])).First();
    }

    private static int Emotional(IReadOnlyList<string> clause)
    {
        var text = AnalyzedText.Of(string.Join(' ', clause));
        return EmotionLexicon.All.SelectMany(entry => entry.Phrases).Count(phrase => text.Find(phrase).Any());
    }

    private static readonly HashSet<string> Verbs =
    [
        "is", "are", "was", "were", "am", "be", "been", "being", "have", "has", "had", "do", "does", "did", "can", "could", "will",
        "would", "should", "may", "might", "must", "feel", "feels", "felt", "think", "thinks", "thought", "want", "wants", "need",
        "needs", "keep", "keeps", "kept", "get", "gets", "got", "go", "goes", "went", "make", "makes", "made", "know", "knows", "knew",
        "like", "likes", "love", "loves", "hate", "hates", "said", "told", "try", "tries", "start", "starts", "miss", "lost", "found",
        "seem", "seems", "look", "looks", "work", "works", "sleep", "sleeps", "slept", "run", "runs", "ran", "see", "saw",
    ];

    private static bool HasVerb(IReadOnlyList<string> words)
        => words.Select(AnalyzedText.Fold).Any(word => Verbs.Contains(word) || word.Contains('\'') || (word.Length > 4 && word.EndsWith("ed", StringComparison.Ordinal)));

    /// <summary>An English question in reported speech: "how do I stop overthinking" → "how to stop overthinking".</summary>
    private static string? IndirectQuestion(IReadOnlyList<string> written)
    {
        var words = written.SkipWhile(word => Filler.Contains(AnalyzedText.Fold(word))).ToList();
        var lower = words.Select(AnalyzedText.Fold).ToList();
        string Rest(int from) => TextCraft.Plain(TextCraft.ToSecondPerson(words.Skip(from).ToList()));
        bool Starts(params string[] start) => lower.Count > start.Length && start.Select((word, i) => word == "*" || lower[i] == word).All(match => match);

        if (lower.Count < 2)
        {
            return null;
        }

        if (Starts("what", "should", "i", "do") || Starts("what", "do", "i", "do") || Starts("what", "can", "i", "do"))
        {
            return lower.Count > 4 ? "what to do " + Rest(4) : "what to do";
        }

        if ((Starts("how", "do", "i") || Starts("how", "can", "i") || Starts("how", "should", "i")) && lower.Count > 3)
        {
            return "how to " + Rest(3);
        }

        if (Starts("should", "i"))
        {
            return "whether to " + Rest(2);
        }

        if (Starts("why", "do", "i"))
        {
            return "why you " + Rest(3);
        }

        if (Starts("why", "am", "i"))
        {
            return "why you're " + Rest(3);
        }

        if (Starts("why", "can't", "i"))
        {
            return "why you can't " + Rest(3);
        }

        if (Starts("am", "i"))
        {
            return "whether you're " + Rest(2);
        }

        if (Starts("is", "it") && lower.Count > 3)
        {
            return "whether it's " + Rest(2);
        }

        if (Starts("do", "you", "think"))
        {
            return lower.Count > 3 ? "whether I think " + Rest(3) : "what I think";
        }

        if (Starts("what", "do", "you", "think"))
        {
            return lower.Count > 4 ? "what I think " + Rest(4) : "what I think";
        }

        if (Starts("what", "if"))
        {
            return "what happens if " + Rest(2);
        }

        if ((Starts("can", "you") || Starts("could", "you") || Starts("would", "you")) && lower.Count > 2)
        {
            var from = lower.Count > 3 && lower[2] == "please" ? 3 : 2;
            return "me to " + string.Join(' ', words.Skip(from).Select(word => AnalyzedText.Fold(word) switch { "me" => "you", "my" => "your", _ => word }));
        }

        return null;
    }

    /// <summary>An active goal that shares a meaningful word with the message.</summary>
    private static string? RelatedGoal(AnalyzedText text, IReadOnlyList<string> goals)
    {
        var stems = TextCraft.ContentStems(text.Original);
        var related = goals.FirstOrDefault(goal => TextCraft.ContentStems(goal).Overlaps(stems));
        var mentionsGoals = stems.Overlaps(["goal", "progress", "plan", "target", "meta", "objetivo", "objectif"]);
        var goal = related ?? (mentionsGoals ? goals.FirstOrDefault() : null);
        return goal is null ? null : TextCraft.Plain(TextCraft.LowerFirst(goal.Trim().TrimEnd('.', '!')));
    }

    private static string? RelatedInsight(AnalyzedText text, IReadOnlyList<string> insights)
    {
        var stems = TextCraft.ContentStems(text.Original).Where(stem => stem.Length > 3).ToHashSet();
        var related = insights.FirstOrDefault(insight => TextCraft.ContentStems(insight).Overlaps(stems));
        return related is null ? null : TextCraft.Plain(TextCraft.LowerFirst(related.Trim().TrimEnd('.', '!')));
    }

    private static string? LastQuestion(IReadOnlyList<ConversationTurn> history)
    {
        var last = history.LastOrDefault(turn => !turn.FromUser);
        return last is null ? null : Reply.Sentences(last.Text).LastOrDefault(sentence => sentence.EndsWith('?'));
    }

    private static string WithName(string line, string name)
    {
        if (name.Length > 0)
        {
            return line.Replace("{name}", name);
        }

        return TextCraft.Capitalize(line.Replace(", {name}", string.Empty).Replace("{name}, ", string.Empty).Replace(" {name}", string.Empty).Trim());
    }

    [GeneratedRegex(@" (say (that|it) again|repeat (that|it|the question|yourself)|can you repeat|what did you (just )?say|come again|didn't (catch|hear) (that|you)|pode repetir|podes repetir|repete|repita|o que (voce|tu) disse|puedes repetir|podrias repetir|repite|repitelo|que dijiste|tu peux repeter|vous pouvez repeter|peux-tu repeter|qu'est-ce que tu as dit) ")]
    private static partial Regex RepeatRequest();

    [GeneratedRegex(@" (what (should|do|can) i do|any advice|what would you do|how (do|can|should) i|o que (eu )?(devo|faco|posso) fazer|o que faco|como (eu )?(posso|faco|consigo)|que (debo|puedo|hago) hacer|que hago|como (puedo|hago)|qu'est-ce que je (dois|peux) faire|que faire|quoi faire|comment (je peux|faire|puis-je)) ")]
    private static partial Regex AdviceRequest();

    /// <summary>
    /// The reply being built. A line is added only if none of its sentences was already said in
    /// this session (or in this reply), so ten turns never hear the same stock sentence twice.
    /// </summary>
    private sealed class Reply(IReadOnlyList<ConversationTurn> history, uint seed, string name)
    {
        private readonly HashSet<string> said = [.. history.Where(turn => !turn.FromUser).SelectMany(turn => Sentences(turn.Text)).Select(Key)];
        private readonly List<string> coachReplies = [.. history.Where(turn => !turn.FromUser).Select(turn => Key(turn.Text))];
        private readonly HashSet<string> lastOpenings = [.. Sentences(history.LastOrDefault(turn => !turn.FromUser)?.Text ?? string.Empty).Select(Opening)];
        private readonly List<string> sentences = [];
        private int slot;

        public uint Seed { get; } = seed;

        public string Text => string.Join(' ', sentences);

        public static IEnumerable<string> Sentences(string text) => SentenceEnd().Split(text.Trim()).Where(sentence => sentence.Length > 0);

        /// <summary>In how many of the coach's earlier replies these words appear.</summary>
        public int TimesSaid(string words) => coachReplies.Count(reply => reply.Contains(Key(words), StringComparison.Ordinal));

        public bool Add(IReadOnlyList<string> options) => Add(options, line => line);

        /// <summary>Adds the first unsaid option, starting at a place the seed chooses.</summary>
        public bool Add(IReadOnlyList<string> options, Func<string, string> fill)
        {
            slot++;
            if (options.Count == 0)
            {
                return false;
            }

            // First pass: a line that also opens differently from the last reply's sentences ("So ..." twice in a row sounds canned).
            var start = (int)((Seed + (uint)slot * 2654435761u) % (uint)options.Count);
            for (var pass = 0; pass < 2; pass++)
            {
                for (var k = 0; k < options.Count; k++)
                {
                    var line = WithName(fill(options[(start + k) % options.Count]), name);
                    if (Sentences(line).All(sentence => !said.Contains(Key(sentence))) && (pass == 1 || !lastOpenings.Contains(Opening(line))))
                    {
                        AddAlways(line);
                        return true;
                    }
                }
            }

            return false;
        }

        public bool Heard(string sentence) => said.Contains(Key(sentence));

        public void MarkHeard(string sentence) => said.Add(Key(sentence));

        public void AddAlways(string line)
        {
            sentences.Add(line);
            foreach (var sentence in Sentences(line))
            {
                said.Add(Key(sentence));
            }
        }

        /// <summary>The closing question: the first unasked one from the pools in order; a repeat only if all were asked.</summary>
        public void AddQuestion(IReadOnlyList<IReadOnlyList<string>> pools)
        {
            foreach (var pool in pools)
            {
                var unasked = pool.FirstOrDefault(question => !said.Contains(Key(question)));
                if (unasked is not null)
                {
                    AddAlways(unasked);
                    return;
                }
            }

            var all = pools.SelectMany(pool => pool).ToList();
            AddAlways(all[(int)(Seed % (uint)all.Count)]);
        }

        private static string Opening(string sentence) => string.Join(' ', Key(sentence).Split(' ').Take(2));

        private static string Key(string sentence) => Whitespace().Replace(sentence.Trim().ToLowerInvariant(), " ");
    }

    [GeneratedRegex(@"(?<=[.!?\u2026])\s+")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
