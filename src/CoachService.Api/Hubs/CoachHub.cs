using CoachService.Api.Auth;
using CoachService.Conversations;
using CoachService.Goals;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CoachService.Api.Hubs;

/// <summary>Events the service sends to a connected client. See docs/PROTOCOL.md.</summary>
public interface ICoachClient
{
    Task ReplyChunk(ReplyChunk chunk);

    Task TurnCompleted(TurnCompleted completed);

    Task TurnFailed(TurnFailed failed);

    Task ReplyRetracted(ReplyRetracted retracted);

    Task EmotionalSnapshot(TurnEmotions emotions);

    Task OnboardingCompleted(OnboardingCompleted onboarding);

    Task CoachAction(TurnAction action);
}

/// <summary>Starts a session.</summary>
/// <param name="SessionType">face_to_face, spoken_presence, silent_reflection, written_clarity or onboarding_assessment.</param>
/// <param name="Persona">A persona for this session only; empty uses the user's preference.</param>
public sealed record StartSessionRequest(string SessionType, string? Persona = null);

/// <summary>
/// The coaching hub at /hubs/coach. A thin adapter: identity comes from the token only, every method
/// calls one service, and errors and rate limits are the <see cref="CoachHubFilter"/>'s business.
/// <see cref="SendTurn"/> returns as soon as the turn is accepted and the reply follows as events, so a
/// barge-in (<see cref="Interrupt"/>) is never queued behind a streaming invocation.
/// </summary>
[Authorize]
public sealed class CoachHub(
    TurnOrchestrator turns, SessionLifecycle sessions, SessionEnding ending, GoalBook goals, HubTurnListeners listeners) : Hub<ICoachClient>
{
    private Guid UserId => Context.User!.GetUserId();

    public Task<SessionStarted> StartSession(StartSessionRequest? request)
    {
        var start = InputText.Required("request", request);
        return sessions.StartAsync(UserId, start.SessionType, string.IsNullOrWhiteSpace(start.Persona) ? null : start.Persona, Context.ConnectionAborted);
    }

    public Task<SessionResumed> ResumeSession(Guid sessionId, int afterSequence) =>
        sessions.ResumeAsync(UserId, sessionId, afterSequence, Context.ConnectionAborted);

    public Task<TurnAccepted> SendTurn(Guid sessionId, string? turnId, string? text) =>
        turns.SendTurnAsync(UserId, sessionId, turnId, text, listeners.For(Context.ConnectionId), Context.ConnectionId, Context.ConnectionAborted);

    /// <summary>
    /// A partial transcript from a voice front-end, never stored as a turn; a stable one (or one the client marks
    /// <paramref name="stable"/>, an engine's "eager end of turn") may start the reply before the final transcript.
    /// </summary>
    public Task SendPartialTranscript(Guid sessionId, string? text, bool? stable = null) =>
        turns.AcceptPartialTranscriptAsync(UserId, sessionId, text, stable == true, Context.ConnectionAborted);

    public Task<TurnInterrupted> Interrupt(Guid sessionId, string? turnId, HeardPart? heard) =>
        turns.InterruptAsync(UserId, sessionId, turnId, heard, Context.ConnectionAborted);

    public Task<SessionSummary> EndSession(Guid sessionId) =>
        ending.EndAsync(UserId, sessionId, Context.ConnectionAborted);

    /// <summary>Makes one of the goals suggested at the end of a session a goal of the user's (source session_suggestion).</summary>
    public Task<Goal> AcceptSuggestedGoal(Guid sessionId, int index) =>
        goals.AcceptSuggestionAsync(UserId, sessionId, index, Context.ConnectionAborted);

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        turns.ConnectionClosed(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>Turn listeners that send a turn's events to one connection.</summary>
public sealed class HubTurnListeners(IHubContext<CoachHub, ICoachClient> hub) : ITurnListeners
{
    public ITurnListener For(string connectionId) => new Listener(hub.Clients.Client(connectionId), connectionId);

    private sealed class Listener(ICoachClient client, string connectionId) : ITurnListener
    {
        public string Id => connectionId;

        public Task ChunkAsync(ReplyChunk chunk) => client.ReplyChunk(chunk);

        public Task CompletedAsync(TurnCompleted completed) => client.TurnCompleted(completed);

        public Task FailedAsync(TurnFailed failed) => client.TurnFailed(failed);

        public Task RetractedAsync(ReplyRetracted retracted) => client.ReplyRetracted(retracted);

        public Task EmotionsAsync(TurnEmotions emotions) => client.EmotionalSnapshot(emotions);

        public Task OnboardingCompletedAsync(OnboardingCompleted onboarding) => client.OnboardingCompleted(onboarding);

        public Task ActionAsync(TurnAction action) => client.CoachAction(action);
    }
}
