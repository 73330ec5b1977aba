using System.ComponentModel.DataAnnotations;

namespace CoachService.Conversations;

/// <summary>How conversations run; section "Coaching".</summary>
public sealed class CoachingOptions
{
    public const string SectionName = "Coaching";

    [Range(1, 100_000, ErrorMessage = "Coaching:MaxTurnLength must be between 1 and 100000 characters.")]
    public int MaxTurnLength { get; set; } = 4000;

    /// <summary>Largest message a hub client may send, in bytes (SignalR's MaximumReceiveMessageSize).</summary>
    [Range(1024, 10_000_000, ErrorMessage = "Coaching:MaxHubMessageBytes must be between 1024 and 10000000.")]
    public int MaxHubMessageBytes { get; set; } = 32 * 1024;

    /// <summary>Turns a user may send per minute, on average (token bucket refill).</summary>
    [Range(1, 10_000, ErrorMessage = "Coaching:TurnsPerMinute must be between 1 and 10000.")]
    public int TurnsPerMinute { get; set; } = 20;

    /// <summary>Turns a user may send in a quick burst (token bucket size).</summary>
    [Range(1, 10_000, ErrorMessage = "Coaching:TurnBurst must be between 1 and 10000.")]
    public int TurnBurst { get; set; } = 5;

    /// <summary>Approximate tokens of earlier conversation sent with each turn (about four characters a token).</summary>
    [Range(100, 1_000_000, ErrorMessage = "Coaching:HistoryTokenBudget must be between 100 and 1000000.")]
    public int HistoryTokenBudget { get; set; } = 3000;

    /// <summary>How many recent completed sessions lend their key insights to the context.</summary>
    [Range(0, 50, ErrorMessage = "Coaching:RecentInsightSessions must be between 0 and 50.")]
    public int RecentInsightSessions { get; set; } = 3;

    /// <summary>
    /// Sessions whose next turn's context this instance keeps in memory (<see cref="CarriedContexts"/>), so that the
    /// turn's model request leaves before the database has found and claimed the turn. 0 switches it off.
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "Coaching:CarriedContexts must be between 0 and 1000000.")]
    public int CarriedContexts { get; set; } = 10_000;

    /// <summary>Answers the onboarding assessment collects before scoring the profile.</summary>
    [Range(1, 50, ErrorMessage = "Coaching:AssessmentAnswers must be between 1 and 50.")]
    public int AssessmentAnswers { get; set; } = 5;

    /// <summary>
    /// The fixed reply that replaces one the provider's content filter stopped, or one that was reading
    /// the coach's instructions back. Never generated.
    /// </summary>
    [Required(ErrorMessage = "Coaching:FilteredReply must be set.")]
    [MinLength(20, ErrorMessage = "Coaching:FilteredReply must be a real message.")]
    public string FilteredReply { get; set; } =
        "I'm sorry, I can't continue that reply. Could you tell me a little more about what you need right now? " +
        "If you are struggling or in danger, please reach out to your local emergency number or a crisis line.";

    /// <summary>
    /// How long a reply keeps being generated after its last listener disconnected, so that a client
    /// reconnecting on a flaky network can join it (send the turn again). Zero stops it at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Coaching:ReconnectGrace must be between 0 and 5 minutes.")]
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The fixed reply to a message a safety screen finds to be a crisis. Never generated.</summary>
    [Required(ErrorMessage = "Coaching:CrisisReply must be set.")]
    [MinLength(20, ErrorMessage = "Coaching:CrisisReply must be a real message.")]
    public string CrisisReply { get; set; } =
        "I'm really glad you told me, and I care about what happens to you. I can't give you the help you need right now, " +
        "but people can. If you are in danger, call your local emergency number now. In the US you can call or text 988, " +
        "in the UK and Ireland you can call Samaritans on 116 123, and elsewhere findahelpline.com lists free, confidential lines. " +
        "If you can, reach out to someone you trust and stay with them.";
}
