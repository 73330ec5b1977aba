using System.ComponentModel.DataAnnotations;

namespace CoachService.Conversations.Preemptive;

/// <summary>
/// Preemptive generation: replies started from a stable partial transcript before the final one arrives;
/// section "Preemptive". See docs/decisions/preemptive-generation.md.
/// </summary>
public sealed class PreemptiveOptions : IValidatableObject
{
    public const string SectionName = "Preemptive";

    /// <summary>Off: partial transcripts are only checked, as before.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A partial transcript unchanged for this long is stable (the client may also mark one stable).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10", ErrorMessage = "Preemptive:QuietTime must be between 10 ms and 10 seconds.")]
    public TimeSpan QuietTime { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Speculations a user may start per turn they send (discarded ones included).</summary>
    [Range(1, 20, ErrorMessage = "Preemptive:MaxSpeculationsPerTurn must be between 1 and 20.")]
    public int MaxSpeculationsPerTurn { get; set; } = 3;

    /// <summary>No speculation once the user has been speaking (sending partials) for longer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Preemptive:MaxSpeechLength must be between 100 ms and 10 minutes.")]
    public TimeSpan MaxSpeechLength { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Output tokens (estimated at four characters a token) a speculation may produce before the final
    /// transcript adopts it; one that reaches the cap first is stopped and discarded.
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Preemptive:MaxTokensPerSpeculation must be between 1 and 100000.")]
    public int MaxTokensPerSpeculation { get; set; } = 256;

    /// <summary>Session types that never speculate, e.g. written_clarity for typed sessions.</summary>
    public List<string> DisabledSessionTypes { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        DisabledSessionTypes.Where(type => !DomainValues.SessionTypes.Contains(type))
            .Select(type => new ValidationResult(
                $"Preemptive:DisabledSessionTypes: '{type}' is not a session type ({string.Join(", ", DomainValues.SessionTypes)}).",
                [nameof(DisabledSessionTypes)]));
}
