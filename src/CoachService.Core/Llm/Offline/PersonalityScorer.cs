using CoachService.Llm.Tasks;
using CoachService.Profiles;

namespace CoachService.Llm.Offline;

/// <summary>
/// Scores DISC and Enneagram from what the user said in the assessment: keywords per type
/// plus how they answer (length, exclamation, hedging, questions, "we"). Scores are shares
/// of the evidence, smoothed so that a transcript that says little stays close to even,
/// and confidence is only high with plenty of evidence and a clear lead.
/// </summary>
public sealed class PersonalityScorer
{
    private const int MaxInsights = 5;
    private const int MaxInsightLength = 300;

    // Added to every type so that two keywords do not make a verdict.
    private const double Prior = 1.5;

    private static readonly string[] DiscTypes = ["D", "I", "S", "C"];

    private static readonly IReadOnlyDictionary<string, string> DiscNames = new Dictionary<string, string>
    {
        ["D"] = "Dominance (D): direct, decisive and focused on results",
        ["I"] = "Influence (I): outgoing, enthusiastic and people-focused",
        ["S"] = "Steadiness (S): patient, supportive and steady",
        ["C"] = "Conscientiousness (C): careful, analytical and precise",
    };

    private static readonly IReadOnlyDictionary<string, string[]> DiscLexicon = new Dictionary<string, string[]>
    {
        ["D"] =
        [
            "result*", "win", "winning", "won", "lead", "leader*", "leading", "decid*", "decision*", "control", "challeng*",
            "fast", "quick*", "direct*", "compet*", "bottom line", "in charge", "take charge", "push*", "get it done",
            "get things done", "bold", "tough", "now", "action", "act", "goal*", "achiev*", "efficient", "power*", "drive",
            "driven", "ambitious", "boss", "command", "straight to the point", "no excuses", "take risks", "risk*", "impatient",
        ],
        ["I"] =
        [
            "people", "fun", "excit*", "idea*", "party", "parties", "friends", "talk*", "chat*", "enthusias*", "inspir*",
            "love", "share", "sharing", "social*", "story", "stories", "creative", "laugh*", "energy", "meet*", "network*",
            "celebrat*", "optimis*", "team", "crowd", "popular", "amazing", "awesome", "spontaneous", "persuad*", "convinc*",
        ],
        ["S"] =
        [
            "calm", "stable", "stability", "support*", "help*", "patien*", "steady", "loyal*", "family", "harmony", "together",
            "routine*", "comfortable", "listen*", "care", "caring", "trust", "reliab*", "peace*", "consistent", "gentle",
            "predictab*", "security", "safe", "slowly", "take my time", "cooperat*", "kind", "dependable", "same",
        ],
        ["C"] =
        [
            "accura*", "detail*", "data", "analy*", "plan", "plans", "planning", "research*", "quality", "rule*", "correct*",
            "precis*", "logic*", "system*", "careful*", "process*", "fact*", "organi*", "structure*", "evidence", "numbers",
            "spreadsheet*", "checklist*", "standards", "right way", "mistake*", "thorough*", "method*", "understand", "compare",
            "pros and cons", "information",
        ],
    };

    private static readonly IReadOnlyDictionary<int, string> EnneagramNames = new Dictionary<int, string>
    {
        [1] = "the Reformer", [2] = "the Helper", [3] = "the Achiever", [4] = "the Individualist", [5] = "the Investigator",
        [6] = "the Loyalist", [7] = "the Enthusiast", [8] = "the Challenger", [9] = "the Peacemaker",
    };

    private static readonly IReadOnlyDictionary<int, string[]> EnneagramLexicon = new Dictionary<int, string[]>
    {
        [1] = ["right", "wrong", "should", "perfect*", "improv*", "standards", "principle*", "fair*", "mistake*", "correct*", "responsib*", "order", "ethic*", "integrity", "discipline*"],
        [2] = ["help*", "others", "needed", "care", "caring", "give", "giving", "support*", "love", "appreciat*", "kind*", "generous", "friends", "for them", "feel needed"],
        [3] = ["success*", "achiev*", "goal*", "win", "winning", "image", "efficient", "accomplish*", "career", "best", "recogni*", "productiv*", "impress*", "results", "ambitio*"],
        [4] = ["unique", "deep*", "authentic*", "identity", "creativ*", "misunderstood", "meaning*", "beaut*", "different", "express*", "emotion*", "longing", "art", "special", "melanchol*"],
        [5] = ["understand*", "knowledge", "learn*", "research*", "think*", "observ*", "privacy", "alone", "curious", "analy*", "competen*", "read*", "figure out", "space", "ideas"],
        [6] = ["safe*", "secur*", "trust*", "worr*", "loyal*", "anxious", "prepar*", "doubt*", "risk*", "what if", "responsib*", "careful", "rules", "reliable", "commit*"],
        [7] = ["fun", "adventure*", "new", "excit*", "option*", "travel*", "freedom", "enjoy*", "experienc*", "possibilit*", "bored", "spontaneous", "party", "variety", "plans"],
        [8] = ["control", "strong", "strength", "power*", "protect*", "fight*", "direct", "tough", "confront*", "independen*", "justice", "lead*", "weak*", "in charge", "challeng*"],
        [9] = ["peace*", "calm", "harmony", "avoid conflict", "easygoing", "easy going", "comfortable", "relax*", "go with the flow", "everyone", "accept*", "content", "getting along", "steady", "whatever"],
    };

    private static readonly string[] HedgePhrases = ["maybe", "perhaps", "i guess", "i think", "kind of", "sort of", "probably", "not sure", "i suppose", "might", "possibly"];

    public PersonalityAssessmentResult Score(string? transcript)
    {
        var userText = TranscriptReader.UserText(transcript);
        var text = AnalyzedText.Of(userText);
        var signals = BehaviourSignals.Of(text, userText);

        var discEvidence = DiscTypes.ToDictionary(type => type, type => Matches(text, DiscLexicon[type]));
        var discRaw = DiscTypes.ToDictionary(type => type, type => (double)discEvidence[type].Count);
        ApplyDiscBehaviour(discRaw, signals);

        var enneagramEvidence = Enumerable.Range(1, 9).ToDictionary(type => type, type => Matches(text, EnneagramLexicon[type]));
        var enneagramRaw = Enumerable.Range(1, 9).ToDictionary(type => type, type => (double)enneagramEvidence[type].Count);
        ApplyEnneagramBehaviour(enneagramRaw, signals);

        var discScores = Normalise(DiscTypes.Select(type => discRaw[type]).ToList());
        var enneagramScores = Normalise(Enumerable.Range(1, 9).Select(type => enneagramRaw[type]).ToList());

        // Ties go to the first in order; the confidence below is what tells the user it was a tie.
        var discIndex = IndexOfMax(discScores);
        var discType = DiscTypes[discIndex];
        var enneagramType = IndexOfMax(enneagramScores) + 1;
        var wing = StrongerNeighbour(enneagramType, enneagramScores);

        var keywordHits = discEvidence.Values.Sum(list => list.Count) + enneagramEvidence.Values.Sum(list => list.Count);
        var confidence = Confidence(text.WordCount, keywordHits, discScores, enneagramScores);

        var insights = Insights(discType, discEvidence[discType], enneagramType, wing, enneagramEvidence[enneagramType], signals, text.WordCount, confidence);

        return new PersonalityAssessmentResult(
            discType,
            new DiscScores(discScores[0], discScores[1], discScores[2], discScores[3]),
            enneagramType,
            wing,
            enneagramScores,
            confidence,
            insights);
    }

    private static List<string> Matches(AnalyzedText text, IEnumerable<string> phrases)
    {
        var found = new List<string>();
        foreach (var phrase in phrases)
        {
            foreach (var hit in text.Find(phrase).Where(hit => !hit.Negated))
            {
                found.Add(string.Join(' ', text.Clauses[hit.Clause].Skip(hit.Start).Take(hit.Length)));
            }
        }

        return found;
    }

    private static void ApplyDiscBehaviour(Dictionary<string, double> raw, BehaviourSignals signals)
    {
        if (signals.AnswerCount == 0)
        {
            return;
        }

        if (signals.AverageSentenceWords is > 0 and < 9 && signals.HedgeRate < 0.02)
        {
            raw["D"] += 1.5; // short, unhedged answers
        }

        raw["D"] += Math.Min(2, signals.ImperativeStatements * 0.5);
        raw["I"] += Math.Min(3, signals.Exclamations * 0.75);
        raw["I"] += signals.AverageSentenceWords > 18 ? 1 : 0; // talkative
        raw["S"] += Math.Min(2, signals.PluralRate * 40);
        raw["S"] += Math.Min(1.5, signals.HedgeRate * 30);
        raw["C"] += Math.Min(2, signals.Questions * 0.5);
        raw["C"] += Math.Min(1.5, signals.Numbers * 0.5);
        raw["C"] += Math.Min(1, signals.HedgeRate * 20);
    }

    private static void ApplyEnneagramBehaviour(Dictionary<int, double> raw, BehaviourSignals signals)
    {
        if (signals.AnswerCount == 0)
        {
            return;
        }

        raw[6] += Math.Min(1.5, signals.HedgeRate * 30);
        raw[9] += Math.Min(1, signals.HedgeRate * 20);
        raw[7] += Math.Min(1.5, signals.Exclamations * 0.5);
        raw[3] += Math.Min(1, signals.Exclamations * 0.25);
        raw[2] += Math.Min(1, signals.PluralRate * 30);
        raw[9] += Math.Min(1, signals.PluralRate * 20);
        raw[5] += Math.Min(1.5, signals.Questions * 0.5);
        raw[8] += signals.AverageSentenceWords is > 0 and < 9 ? 1 : 0;
        raw[4] += signals.AverageSentenceWords > 18 ? 0.75 : 0;
        raw[5] += signals.AverageSentenceWords > 18 ? 0.75 : 0;
    }

    private static List<double> Normalise(IReadOnlyList<double> raw)
    {
        var smoothed = raw.Select(value => value + Prior).ToList();
        var total = smoothed.Sum();
        return [.. smoothed.Select(value => Math.Round(value / total, 3))];
    }

    private static int IndexOfMax(IReadOnlyList<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The wing is the stronger of the two neighbouring types; 9 and 1 are neighbours.</summary>
    private static int StrongerNeighbour(int type, IReadOnlyList<double> scores)
    {
        var lower = type == 1 ? 9 : type - 1;
        var upper = type == 9 ? 1 : type + 1;
        return scores[upper - 1] > scores[lower - 1] ? upper : lower;
    }

    // Evidence (words said and keywords matched) caps what the lead between the top two
    // types can earn: a clear lead in a short transcript is still a guess.
    private static double Confidence(int wordCount, int keywordHits, IReadOnlyList<double> disc, IReadOnlyList<double> enneagram)
    {
        var evidence = Math.Min(1, wordCount / 150.0) * Math.Min(1, keywordHits / 15.0);
        var margin = (Margin(disc) + Margin(enneagram)) / 2;
        var confidence = 0.1 + 0.45 * evidence + 0.4 * evidence * Math.Min(1, margin * 2.5);
        return Math.Round(Math.Clamp(confidence, 0, 0.95), 2);
    }

    private static double Margin(IReadOnlyList<double> scores)
    {
        var ordered = scores.OrderByDescending(score => score).ToList();
        return ordered[0] <= 0 ? 0 : (ordered[0] - ordered[1]) / ordered[0];
    }

    private static List<string> Insights(
        string discType, IReadOnlyList<string> discWords, int enneagramType, int wing, IReadOnlyList<string> enneagramWords,
        BehaviourSignals signals, int wordCount, double confidence)
    {
        var insights = new List<string>();
        var discCited = discWords.Distinct().Take(4).ToList();
        insights.Add(discCited.Count > 0
            ? $"Words like {TextCraft.Quoted(discCited)} point to {DiscNames[discType]}."
            : $"No clear DISC keywords came up; {DiscNames[discType]} is only a tentative lean from how you answered.");

        var enneagramCited = enneagramWords.Distinct().Take(4).ToList();
        insights.Add(enneagramCited.Count > 0
            ? $"Enneagram type {enneagramType} ({EnneagramNames[enneagramType]}) with a {wing} wing fits how you talked about {TextCraft.Quoted(enneagramCited)}."
            : $"Enneagram type {enneagramType} ({EnneagramNames[enneagramType]}) is a placeholder guess: your answers gave little to go on.");

        if (signals.AnswerCount > 0)
        {
            var style = new List<string> { $"your sentences average {signals.AverageSentenceWords:0} words" };
            if (signals.Exclamations > 0)
            {
                style.Add($"{signals.Exclamations} exclamation mark{(signals.Exclamations == 1 ? string.Empty : "s")}");
            }

            if (signals.Hedges > 0)
            {
                style.Add($"{signals.Hedges} hedging phrase{(signals.Hedges == 1 ? string.Empty : "s")} like \"maybe\"");
            }

            if (signals.Questions > 0)
            {
                style.Add($"{signals.Questions} question{(signals.Questions == 1 ? string.Empty : "s")} of your own");
            }

            insights.Add($"How you answer matters too: {TextCraft.JoinNaturally(style)}.");
        }

        insights.Add(confidence < 0.5
            ? $"Confidence is low ({confidence:0.00}) because the answers were brief ({wordCount} words) or mixed; a longer conversation would sharpen this."
            : $"Confidence is {confidence:0.00}: {wordCount} words with a clear lead for the top types.");

        return [.. insights.Take(MaxInsights).Select(insight => TextCraft.Truncate(insight, MaxInsightLength))];
    }

    private sealed record BehaviourSignals(
        int AnswerCount, double AverageSentenceWords, int Exclamations, int Questions, int Hedges, double HedgeRate,
        double PluralRate, int Numbers, int ImperativeStatements)
    {
        public static BehaviourSignals Of(AnalyzedText text, string raw)
        {
            var sentences = raw.Split(['.', '!', '?', '\n'], StringSplitOptions.RemoveEmptyEntries)
                .Where(sentence => sentence.Any(char.IsLetter))
                .ToList();
            if (text.WordCount == 0 || sentences.Count == 0)
            {
                return new BehaviourSignals(0, 0, 0, 0, 0, 0, 0, 0, 0);
            }

            var hedges = HedgePhrases.Sum(hedge => text.Count(hedge, includeNegated: true));
            var plural = text.Words.Count(word => word is "we" or "us" or "our" or "ours" or "we're" or "we've" or "together");
            var numbers = text.Words.Count(word => word.Any(char.IsDigit));
            var decisive = new[] { "i decide*", "i will", "i'll", "i make", "i take", "i push", "i lead", "i get", "i go" }
                .Sum(phrase => text.Count(phrase));
            return new BehaviourSignals(
                sentences.Count,
                (double)text.WordCount / sentences.Count,
                text.ExclamationCount,
                text.QuestionCount,
                hedges,
                (double)hedges / text.WordCount,
                (double)plural / text.WordCount,
                numbers,
                decisive);
        }
    }
}
