using System.Text.Json.Serialization;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Progress;
using CoachService.Sessions;

namespace CoachService.Conversations;

/// <summary>A piece of the coach's reply as it is generated.</summary>
/// <param name="Sequence">1, 2, 3… within the turn; a client that joins late receives the earlier pieces first.</param>
/// <param name="SentenceEnd">This piece completes a sentence: everything up to here can be spoken.</param>
public sealed record ReplyChunk(Guid SessionId, string TurnId, int Sequence, string Text, bool SentenceEnd);

/// <summary>The reply was stored (or cut short and stored).</summary>
/// <param name="Interrupted">Barge-in or a disconnect cut the reply; <see cref="Content"/> is what was kept.</param>
/// <param name="Kind">text, assessment_question or safety.</param>
/// <param name="CutOff">The model stopped at its token limit: the reply is stored, but it is incomplete.</param>
/// <param name="WastedInputTokens">Tokens of speculative replies (from partial transcripts) this turn discarded; null when none.</param>
public sealed record TurnCompleted(
    Guid SessionId,
    string TurnId,
    int Sequence,
    string Content,
    string Kind,
    bool Interrupted,
    string? Model,
    int? InputTokens,
    int? OutputTokens,
    int? TimeToFirstTokenMs,
    int? TimeToFirstSentenceMs,
    int? TotalMs,
    bool CutOff = false,
    int? WastedInputTokens = null,
    int? WastedOutputTokens = null);

/// <summary>
/// Everything sent of the turn's reply so far must be dropped (not shown, not spoken): the safety screen
/// found a crisis, the provider's content filter stopped the reply, or the reply was reading the coach's
/// instructions back. A fixed reply follows as new <see cref="ReplyChunk"/>s whose sequence starts again at 1.
/// </summary>
/// <param name="Reason">"safety", "content_filter" or "instructions".</param>
public sealed record ReplyRetracted(Guid SessionId, string TurnId, string Reason);

/// <summary>The reply could not be produced; the user's message is kept and the turn may be sent again.</summary>
public sealed record TurnFailed(Guid SessionId, string TurnId, string Reason);

/// <summary>The emotions of the user's message, computed after the reply.</summary>
public sealed record TurnEmotions(Guid SessionId, string TurnId, int MessageSequence, IReadOnlyList<EmotionReading> Emotions);

/// <summary>The coach acted on the user's data while replying (a goal's progress, a mood check-in); the reply confirms it.</summary>
public sealed record TurnAction(Guid SessionId, string TurnId, CoachAction Action);

/// <summary>Onboarding finished: the stored personality profile.</summary>
public sealed record OnboardingCompleted(
    Guid SessionId,
    string DiscType,
    int EnneagramType,
    int? EnneagramWing,
    double Confidence,
    IReadOnlyList<string> FocusCategories,
    IReadOnlyList<string> Goals);

/// <summary>The service's answer to a turn, before the reply streams.</summary>
/// <param name="State">"streaming": the reply follows as events; "completed": the reply was already stored and is in <see cref="Reply"/>.</param>
/// <param name="UserSequence">The stored user message's sequence number.</param>
/// <param name="Reply">A repeated turn's stored reply, when it has one.</param>
public sealed record TurnAccepted(Guid SessionId, string TurnId, string State, int UserSequence, TurnCompleted? Reply, IReadOnlyList<ReplyChunk> ChunksSoFar);

/// <summary>Where a turn's events go: the connection that sent it, and any that joined it.</summary>
public interface ITurnListener
{
    /// <summary>Identifies the listener (the SignalR connection id), so a second join is not a second listener.</summary>
    string Id { get; }

    Task ChunkAsync(ReplyChunk chunk);

    Task CompletedAsync(TurnCompleted completed);

    Task FailedAsync(TurnFailed failed);

    Task RetractedAsync(ReplyRetracted retracted);

    Task EmotionsAsync(TurnEmotions emotions);

    Task OnboardingCompletedAsync(OnboardingCompleted onboarding);

    Task ActionAsync(TurnAction action);
}

/// <summary>A started session.</summary>
public sealed record SessionStarted(Guid SessionId, string SessionType, string Persona, string Status, DateTimeOffset StartedAt, DateOnly SessionDate);

/// <summary>What a client needs after a reconnect.</summary>
/// <param name="StreamingTurnId">A turn whose reply is still being generated; send it again to join it.</param>
public sealed record SessionResumed(Guid SessionId, string Status, string Persona, IReadOnlyList<SessionMessage> Messages, string? StreamingTurnId);

/// <summary>A suggested goal as offered at the end of a session; accept it by its index.</summary>
public sealed record OfferedGoal(int Index, SuggestedGoal Goal);

/// <summary>The end of a session.</summary>
/// <param name="Notice">Said when the session ended without what an ending usually brings (an onboarding never scored).</param>
public sealed record SessionSummary(
    Guid SessionId,
    string Status,
    int DurationSeconds,
    VirtueEarned? Virtue,
    IReadOnlyList<KeyInsight> KeyInsights,
    IReadOnlyList<OfferedGoal> SuggestedGoals,
    IReadOnlyList<EmotionReading> EmotionalSnapshot,
    int DailyStreak,
    int LongestDailyStreak,
    IReadOnlyList<EarnedAchievement> NewAchievements,
    IReadOnlyDictionary<string, decimal> Metrics,
    string? Notice = null);

/// <summary>How much of a reply the user heard before talking over it. One of the two is given.</summary>
public sealed record HeardPart(
    [property: JsonPropertyName("characters")] int? Characters,
    [property: JsonPropertyName("text")] string? Text);

/// <summary>The stored result of a barge-in.</summary>
/// <param name="Sequence">The cut reply's message sequence; null when nothing was heard, so no reply is stored.</param>
public sealed record TurnInterrupted(Guid SessionId, string TurnId, int? Sequence, string HeardContent);
