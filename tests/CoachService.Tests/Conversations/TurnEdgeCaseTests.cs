using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Conversations;

public sealed class TurnEdgeCaseTests
{
    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_model_failure_mid_reply_stores_nothing_and_the_same_turn_sent_again_gets_a_whole_reply()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply("One. Two. Three. Four. Five. Six.") with { DropAfterChunks = 3, DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        await using var ana = await harness.ConnectAsync("failure@example.com");
        var session = await ana.StartSessionAsync();

        await ana.SendTurnAsync(session.SessionId, "t1", "Talk to me.");
        var failed = await CoachClient.WaitForAsync(() => ana.Failed.FirstOrDefault());
        Assert.Contains("send the turn again", failed.Reason);
        Assert.Empty(ana.Completed);
        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Messages.Select(m => m.Role).ToListAsync());
        Assert.Equal(["user"], stored); // the user's message is kept, no partial reply

        harness.CoachReply = _ => FakeResponse.Reply("Here I am again. What is on your mind?");
        var again = await ana.SendTurnAsync(session.SessionId, "t1", "Talk to me.");
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());

        Assert.Equal("streaming", again.State);
        Assert.Equal("Here I am again. What is on your mind?", completed.Content);
        Assert.Equal(2, harness.TextRequests.Count);
        var rows = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Messages.CountAsync());
        Assert.Equal(2, rows);
    }

    [Fact]
    public async Task A_reply_another_connection_joined_goes_on_when_the_first_connection_drops()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply("First part. Second part. Third part. Fourth part.") with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        await using var phone = await harness.ConnectAsync("two-devices@example.com");
        await using var laptop = await harness.ConnectAsync("two-devices@example.com");
        var session = await phone.StartSessionAsync();

        await phone.SendTurnAsync(session.SessionId, "t1", "Hello from the phone.");
        await phone.ReadChunksAsync("t1", 1);
        var joined = await laptop.SendTurnAsync(session.SessionId, "t1", "Hello from the phone.");
        await phone.StopAsync();
        var completed = await CoachClient.WaitForAsync(() => laptop.Completed.FirstOrDefault());

        Assert.Equal("streaming", joined.State);
        Assert.NotEmpty(joined.ChunksSoFar);
        Assert.False(completed.Interrupted);
        Assert.Equal("First part. Second part. Third part. Fourth part.", completed.Content);
        Assert.False(harness.TextRequests.Single().WasAborted);
    }

    [Fact]
    public async Task Interrupting_a_reply_that_was_heard_in_full_changes_nothing_and_only_the_latest_reply_can_be_cut()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply("Short and sweet.");
        await using var ana = await harness.ConnectAsync("heard-all@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");
        var first = await ana.TalkAsync(session.SessionId, "t1", "Hi.");

        var whole = await ana.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(first.Content.Length + 10, null));
        Assert.Equal(first.Content, whole.HeardContent);
        var resumed = await ana.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 1);
        Assert.False(resumed.Messages.Single().Interrupted);

        await ana.TalkAsync(session.SessionId, "t2", "And now?");
        var older = await Assert.ThrowsAsync<HubException>(() =>
            ana.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(3, null)));
        Assert.Contains("invalid_state: superseded", older.Message);
    }

    [Fact]
    public async Task Partial_transcripts_are_accepted_for_ones_own_open_session_only_and_never_stored()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("partial@example.com");
        await using var bob = await harness.ConnectAsync("partial-bob@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await ana.Connection.InvokeCoreAsync("SendPartialTranscript", [session.SessionId, "I was think"]).WaitAsync(ConversationHarness.Timeout);
        var notYours = await Assert.ThrowsAsync<HubException>(() =>
            bob.Connection.InvokeCoreAsync("SendPartialTranscript", [session.SessionId, "hello"]).WaitAsync(ConversationHarness.Timeout));

        Assert.Contains("HubException: not_found: session", notYours.Message);
        var resumed = await ana.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);
        Assert.Empty(resumed.Messages);
        Assert.Empty(harness.Llm.Requests);
    }

    [Fact]
    public async Task After_onboarding_is_scored_the_session_goes_on_as_coaching_without_scoring_again()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Coaching:AssessmentAnswers"] = "2", ["Coaching:TurnBurst"] = "50" });
        await using var sam = await harness.ConnectAsync("onboard-once@example.com", "Sam");
        var session = await sam.StartSessionAsync("onboarding_assessment");
        await sam.TalkAsync(session.SessionId, "o1", "Hello.");
        await sam.TalkAsync(session.SessionId, "o2", "I like results.");
        await CoachClient.WaitForAsync(() => sam.Onboarded.FirstOrDefault());

        var after = await sam.TalkAsync(session.SessionId, "o3", "What now?");

        Assert.Equal("text", after.Kind);
        Assert.Single(harness.RequestsFor("assessment_scoring"));
        var assessments = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(sam.UserId, db => db.PersonalityAssessments.CountAsync());
        Assert.Equal(1, assessments);
        Assert.Contains("DISC type is D", harness.TextRequests[^1].Messages[0].Content);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_reply_being_generated_when_the_service_stops_is_stored_as_interrupted()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply("One thing. Then another. And a third. And more.") with { DelayBetweenChunks = TimeSpan.FromMilliseconds(200) };
        await using var ana = await harness.ConnectAsync("shutdown@example.com");
        var session = await ana.StartSessionAsync();
        await ana.SendTurnAsync(session.SessionId, "t1", "Hello.");
        var heard = await ana.ReadChunksAsync("t1", 1);

        var shutdown = harness.App.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ConversationShutdown>().Single();
        await shutdown.StopAsync(CancellationToken.None).WaitAsync(ConversationHarness.Timeout);

        var reply = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            db => db.Messages.SingleAsync(m => m.Role == "assistant"));
        Assert.True(reply.Interrupted);
        Assert.StartsWith(heard[0].Text.TrimEnd(), reply.Content);
        Assert.DoesNotContain("And more", reply.Content);
    }
}
