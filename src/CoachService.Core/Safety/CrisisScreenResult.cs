namespace CoachService.Safety;

/// <summary>How much risk one message shows, from no sign to immediate danger.</summary>
public enum CrisisRisk
{
    /// <summary>No sign of risk.</summary>
    None,

    /// <summary>Ordinary sadness or strain, or risk language that is negated or in passing.</summary>
    Low,

    /// <summary>A real concern that deserves a gentle check-in (passive wishes, past crises, worrying symptoms).</summary>
    Elevated,

    /// <summary>Immediate danger: intent, a plan, means, or an emergency now. The turn gets the crisis reply.</summary>
    Crisis,
}

/// <summary>The categories of risk the screen names; the same words as the safety_screen prompt's schema.</summary>
public static class CrisisCategory
{
    public const string SelfHarm = "self_harm";
    public const string SuicidalIdeation = "suicidal_ideation";
    public const string HarmToOthers = "harm_to_others";
    public const string Abuse = "abuse";
    public const string MedicalEmergency = "medical_emergency";

    public static IReadOnlyList<string> All { get; } = [SelfHarm, SuicidalIdeation, HarmToOthers, Abuse, MedicalEmergency];
}

/// <summary>What the local screen decided about one message.</summary>
/// <param name="Risk">The highest risk found.</param>
/// <param name="Categories">The categories behind any risk above <see cref="CrisisRisk.Low"/>, at most five.</param>
/// <param name="Rationale">At most 300 characters in general words; never quotes the message.</param>
public sealed record CrisisScreenResult(CrisisRisk Risk, IReadOnlyList<string> Categories, string Rationale)
{
    /// <summary>True when the message needs the crisis reply instead of coaching.</summary>
    public bool IsCrisis => Risk == CrisisRisk.Crisis;

    /// <summary>The risk as the safety_screen schema spells it: none, low, elevated or crisis.</summary>
    public string RiskLevel => Risk switch
    {
        CrisisRisk.Crisis => "crisis",
        CrisisRisk.Elevated => "elevated",
        CrisisRisk.Low => "low",
        _ => "none",
    };
}
