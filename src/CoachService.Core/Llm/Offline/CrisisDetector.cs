using System.Text.RegularExpressions;
using CoachService.Llm.Tasks;

namespace CoachService.Llm.Offline;

/// <summary>
/// Screens one message for crisis language (suicidal ideation, self-harm, harm to others,
/// abuse, medical emergency). Figures of speech ("I could kill for a coffee", "my feet are
/// killing me") are removed first; a negated phrase ("I would never hurt myself") and past
/// experience ("I used to want to die") lower the level instead of raising the alarm. The
/// rationale describes the finding in general words and never quotes the message.
/// </summary>
public sealed partial class CrisisDetector
{
    public const string RiskNone = "none";
    public const string RiskLow = "low";
    public const string RiskElevated = "elevated";
    public const string RiskCrisis = "crisis";

    public const string SelfHarm = "self_harm";
    public const string SuicidalIdeation = "suicidal_ideation";
    public const string HarmToOthers = "harm_to_others";
    public const string Abuse = "abuse";
    public const string MedicalEmergency = "medical_emergency";

    private const int MaxRationale = 300;

    private const string People = "husband|wife|partner|boyfriend|girlfriend|boss|brother|sister|dad|father|mom|mum|mother|son|daughter|kids?|child|children|baby|neighbou?r|ex|coworker|co-worker|colleague|roommate|friend|teacher|manager";

    private static readonly string[] RiskOrder = [RiskNone, RiskLow, RiskElevated, RiskCrisis];

    private static readonly CrisisPattern[] Patterns =
    [
        new(SuicidalIdeation, RiskCrisis, SuicideCrisis()),
        new(SuicidalIdeation, RiskElevated, SuicidePassive()),
        new(SelfHarm, RiskCrisis, SelfHarmCrisis()),
        new(HarmToOthers, RiskCrisis, HarmOthersIntent()),
        new(HarmToOthers, RiskElevated, HarmOthersVague()),
        new(Abuse, RiskCrisis, AbuseDanger()),
        new(Abuse, RiskElevated, AbuseOngoing()),
        new(MedicalEmergency, RiskCrisis, MedicalCrisis()),
        new(MedicalEmergency, RiskElevated, MedicalWorrying()),
    ];

    public SafetyScreenResult Screen(string? message)
    {
        var normalised = Normalise(message);
        var withoutIdioms = Idioms().Replace(normalised, " ");
        var hadIdiom = Idioms().IsMatch(normalised);

        var findings = new List<(string Category, string Risk, string Context)>();
        foreach (var pattern in Patterns)
        {
            foreach (Match match in pattern.Regex.Matches(withoutIdioms))
            {
                var before = withoutIdioms[..match.Index];
                var context = Context(before);
                var risk = context switch
                {
                    "negated" => RiskLow,
                    "past" => pattern.Risk == RiskCrisis ? RiskElevated : RiskLow,
                    _ => pattern.Risk,
                };
                findings.Add((pattern.Category, risk, context));
            }
        }

        if (findings.Count == 0)
        {
            var low = LowMood().IsMatch(withoutIdioms);
            return low
                ? new SafetyScreenResult(RiskLow, false, [], "Signs of strain or low mood, with no crisis, self-harm, abuse or emergency language; coaching can continue with care.")
                : new SafetyScreenResult(RiskNone, false, [], hadIdiom
                    ? "Only a figure of speech about killing or dying was found, not a statement of risk."
                    : "No crisis, self-harm, abuse or emergency language was found.");
        }

        var level = findings.MaxBy(finding => Array.IndexOf(RiskOrder, finding.Risk)).Risk;
        var categories = findings
            .Where(finding => finding.Risk != RiskLow)
            .Select(finding => finding.Category)
            .Distinct()
            .Take(5)
            .ToList();
        return new SafetyScreenResult(level, level == RiskCrisis, categories, Rationale(level, findings.Select(f => f.Category).Distinct().ToList(), findings.All(f => f.Context == "negated")));
    }

    private static string Rationale(string level, IReadOnlyList<string> categories, bool allNegated)
    {
        var topics = TextCraft.JoinNaturally([.. categories.Select(category => category.Replace('_', ' '))]);
        var text = level switch
        {
            RiskCrisis => $"The message contains direct, present-tense language about {topics}. It needs the crisis reply and support resources, not coaching.",
            RiskElevated => $"The message touches on {topics} without a direct present-tense statement. Check in gently and offer support resources.",
            _ when allNegated => $"Language about {topics} appears but is negated. No current risk is stated; a gentle check-in is reasonable.",
            _ => $"Language about {topics} appears only as past experience or in passing. Keep listening with care.",
        };
        return TextCraft.Truncate(text, MaxRationale);
    }

    // "not", "never", "don't" shortly before the phrase negate it, unless it is part of the
    // phrase's meaning ("don't want to live" is matched by the pattern itself, so the
    // negator sits inside the match, not before it).
    private static string Context(string before)
    {
        var tail = string.Join(' ', before.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeLast(5));
        var clause = ClauseStart().Split(tail)[^1];
        if (PastContext().IsMatch(clause))
        {
            return "past";
        }

        return NegatedContext().IsMatch(clause) ? "negated" : "present";
    }

    private static string Normalise(string? message)
        => " " + Whitespace().Replace((message ?? string.Empty).Replace('\u2019', '\'').ToLowerInvariant(), " ") + " ";

    private sealed record CrisisPattern(string Category, string Risk, Regex Regex);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[.!?;,]| but ")]
    private static partial Regex ClauseStart();

    [GeneratedRegex(@"\b(used to|in the past|years ago|when i was (younger|a kid|a teenager)|back then|once)\b")]
    private static partial Regex PastContext();

    [GeneratedRegex(@"\b(not|never|no|no longer|don't|dont|won't|wouldn't|would not|will not|do not|am not|i'm not|isn't)\b(?!.*\b(stop|know|sure|help)\b)")]
    private static partial Regex NegatedContext();

    [GeneratedRegex(@"\b(kill(ing)? for (a|an|some)\b|killing it|killed it|kill(ing)? time|(is|are|was|were) killing me|killing me softly|to die for|dying (to|for)|dead tired|dead on my feet|bored to death|scared to death|sick to death|died laughing|die laughing|could (just )?die of|nearly died (laughing|of)|killer (app|workout|idea|deal)|drop dead gorgeous|dressed to kill|kill two birds|if looks could kill|kill the (lights|engine|music)|hurt myself (at|playing|running|lifting|while|during|in the|on the|skiing|working out))")]
    private static partial Regex Idioms();

    [GeneratedRegex(@"\b(kill(ing)? myself|end(ing)? (my|it) (own )?life|end(ing)? it all|take my (own )?life|taking my (own )?life|suicid(e|al)|want to die|wanna die|want to be dead|wish i (was|were) dead|better off dead|(don't|do not|no longer) want to (live|be alive|exist|wake up)|no reason to live|not worth living|everyone would be better off without me|planning (my|to) (death|die))\b")]
    private static partial Regex SuicideCrisis();

    [GeneratedRegex(@"\b(what's the point of living|no point (in )?living|can't go on|cannot go on|can't do this anymore|don't see a way out|no way out|wish i could disappear|want to disappear|wish i wasn't here|wish i had never been born|nobody would (miss|care)|no one would (miss|care))\b")]
    private static partial Regex SuicidePassive();

    [GeneratedRegex(@"\b(hurt(ing)? myself|harm(ing)? myself|cut(ting)? myself|burn(ing)? myself|starv(e|ing) myself|self[- ]harm(ing)?|punish(ing)? myself physically|overdos(e|ing) on purpose)\b")]
    private static partial Regex SelfHarmCrisis();

    [GeneratedRegex(@"\b(want to|going to|gonna|plan(ning)? to|will|i'll|about to|ready to)\s+(kill|murder|stab|shoot|strangle|hurt|attack|beat up)\s+(him|her|them|you|someone|somebody|everyone|people|that (guy|man|woman|person)|my (" + People + @"))\b")]
    private static partial Regex HarmOthersIntent();

    [GeneratedRegex(@"\b(could|might|feel like i could|thoughts? of|thinking (about|of))\s+(kill(ing)?|hurt(ing)?|attack(ing)?)\s+(him|her|them|someone|somebody|people|my (" + People + @"))\b")]
    private static partial Regex HarmOthersVague();

    [GeneratedRegex(@"\b((he|she|they) (threatened|is going|are going|said (he|she|they) would) to kill me|going to kill me|not safe at home right now|(he|she|they) (has|have) a (gun|knife)|locked me in|afraid for my life)\b")]
    private static partial Regex AbuseDanger();

    [GeneratedRegex(@"\b((he|she|they|my \w+) (hits|hit|beats|beat|chokes|choked|kicks|kicked|slaps|slapped|pushes|shoves|abuses|abused|rapes|raped|molests|molested|forces|forced) me|abusive|abusing me|not safe at home|afraid of my (husband|wife|partner|boyfriend|girlfriend|dad|father|mom|mother)|threatens me|threatened me)\b")]
    private static partial Regex AbuseOngoing();

    [GeneratedRegex(@"\b(chest pain|heart attack|having a stroke|seizure|overdosed|took too many (pills|tablets)|bleeding (heavily|a lot|badly)|passed out|unconscious|can't feel my (arm|face|legs)|anaphyla\w*)\b")]
    private static partial Regex MedicalCrisis();

    [GeneratedRegex(@"\b(can't breathe|cannot breathe|fainted|blacked out|severe pain)\b")]
    private static partial Regex MedicalWorrying();

    [GeneratedRegex(@"\b(worthless|hopeless|empty inside|numb|exhausted|can't take (it|this)|falling apart|giving up|give up on everything|so alone|miserable)\b")]
    private static partial Regex LowMood();
}
