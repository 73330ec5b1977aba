using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Conversations;

public sealed class SafetyAndLimitsTests
{
    [Fact]
    public async Task A_crisis_message_gets_the_safety_reply_flags_the_session_and_makes_no_coaching_call()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("crisis@example.com");
        var session = await ana.StartSessionAsync();

        var reply = await ana.TalkAsync(session.SessionId, "t1", "I just want to end my life.");

        Assert.Equal("safety", reply.Kind);
        Assert.Contains("988", reply.Content);
        Assert.Contains("116 123", reply.Content);
        // The local screen decided: no model was asked for the reply or the screen (the emotional snapshot
        // of the message is still computed afterwards, off the reply's path).
        Assert.DoesNotContain(harness.Llm.Requests, r => ConversationHarness.TaskOf(r) != "emotional_snapshot");
        Assert.Equal(CoachService.Safety.LocalCrisisScreen.ScreenName, reply.Model);
        var flagged = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            db => db.Sessions.Select(s => s.SafetyFlagged).SingleAsync());
        Assert.True(flagged);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Another_users_session_is_not_found_for_every_hub_method()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("owner@example.com");
        await using var bob = await harness.ConnectAsync("intruder@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "My private worries.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault()); // the turn's last model call is done
        var callsBefore = harness.Llm.Requests.Count;

        var attempts = new Func<Task>[]
        {
            () => bob.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0),
            () => bob.SendTurnAsync(session.SessionId, "t9", "Let me in."),
            () => bob.SendTurnAsync(session.SessionId, "t1", "My private worries."),
            () => bob.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(0, null)),
            () => bob.InvokeAsync<SessionSummary>("EndSession", session.SessionId),
        };
        foreach (var attempt in attempts)
        {
            var error = await Assert.ThrowsAsync<HubException>(attempt);
            Assert.Contains("HubException: not_found: session", error.Message);
        }

        Assert.Equal(callsBefore, harness.Llm.Requests.Count);
        var resumed = await ana.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);
        Assert.Equal(2, resumed.Messages.Count); // untouched
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Every_limit_gives_its_error_and_makes_no_llm_call()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Coaching:MaxTurnLength"] = "50",
            ["Coaching:TurnBurst"] = "3",
            ["Coaching:TurnsPerMinute"] = "1",
            ["Coaching:MaxHubMessageBytes"] = "2048",
        });
        await using var ana = await harness.ConnectAsync("limits@example.com");
        var session = await ana.StartSessionAsync();

        var tooLong = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(session.SessionId, "t1", new string('a', 51)));
        Assert.Contains("invalid_argument: text: text may be at most 50 characters; this turn has 51", tooLong.Message);

        var unknown = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(Guid.NewGuid(), "t2", "Hello"));
        Assert.Contains("HubException: not_found: session", unknown.Message);

        var ended = await ana.StartSessionAsync();
        await ana.InvokeAsync<SessionSummary>("EndSession", ended.SessionId); // no turns: no LLM call
        var afterEnd = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(ended.SessionId, "t3", "Hello"));
        Assert.Contains("HubException: invalid_state: completed: session", afterEnd.Message);

        Assert.Empty(harness.Llm.Requests);

        // Refused calls spent nothing: the whole burst of three turns is still there, and only model work spends it.
        await ana.TalkAsync(session.SessionId, "r1", "One");
        await ana.TalkAsync(session.SessionId, "r2", "Two");
        await ana.TalkAsync(session.SessionId, "r3", "Three");
        var limited = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(session.SessionId, "r4", "Four"));
        Assert.Contains("HubException: rate_limited: too many turns for the coach; at most 1 a minute", limited.Message);
        var replies = harness.TextRequests.Count;
        // A repeated turn that has its reply, a resume and the end of the session cost no model work and are never refused.
        var repeated = await ana.SendTurnAsync(session.SessionId, "r3", "Three");
        Assert.Equal("completed", repeated.State);
        await ana.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);
        await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);
        Assert.Equal(replies, harness.TextRequests.Count);
        var stored = await harness.App.Database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(ana.UserId,
            db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Messages, m => m.ClientTurnId == "r4"));
        Assert.Equal(0, stored); // the refused turn stored nothing

        await using var bob = await harness.ConnectAsync("limits-bob@example.com");
        var bobEnded = await bob.StartSessionAsync();
        await bob.InvokeAsync<SessionSummary>("EndSession", bobEnded.SessionId);
        var onEnded = await Assert.ThrowsAsync<HubException>(() => bob.SendTurnAsync(bobEnded.SessionId, "t1", "Hello"));
        Assert.Contains("HubException: invalid_state: completed: session", onEnded.Message);
        var endedTwice = await Assert.ThrowsAsync<HubException>(() => bob.InvokeAsync<SessionSummary>("EndSession", bobEnded.SessionId));
        Assert.Contains("already completed", endedTwice.Message);
        var llmCalls = harness.Llm.Requests.Count;

        // A hub message over the size limit closes the connection instead of reaching the service.
        await using var carol = await harness.ConnectAsync("limits-carol@example.com");
        var carolSession = await carol.StartSessionAsync();
        var closed = new TaskCompletionSource<Exception?>();
        carol.Connection.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        await Assert.ThrowsAnyAsync<Exception>(() => carol.SendTurnAsync(carolSession.SessionId, "big", new string('b', 4000)));
        await closed.Task.WaitAsync(ConversationHarness.Timeout);
        Assert.Equal(llmCalls, harness.Llm.Requests.Count);
    }
}
