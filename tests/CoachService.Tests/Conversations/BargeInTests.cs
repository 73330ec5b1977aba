using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Conversations;

public sealed class BargeInTests
{
    private const string LongReply =
        "First, breathe for a moment. Second, notice where the tension sits. Third, name one thing you can drop today. " +
        "Fourth, tell someone about it. Fifth, plan tomorrow morning tonight.";

    [Fact]
    public async Task Barge_in_mid_stream_stops_the_model_and_keeps_only_what_was_heard_for_the_next_turn()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        await using var ana = await harness.ConnectAsync("barge@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await ana.SendTurnAsync(session.SessionId, "t1", "I feel tense all the time.");
        var heardChunks = await ana.ReadChunksAsync("t1", 3);
        var heard = string.Concat(heardChunks.Select(c => c.Text));

        // Sent while the reply is streaming on the same connection.
        var interrupted = await ana.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(heard.Length, null));

        Assert.Equal(heard.TrimEnd(), interrupted.HeardContent);
        var textRequest = Assert.Single(harness.TextRequests);
        await textRequest.Aborted.WaitAsync(ConversationHarness.Timeout); // the model call was cancelled
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        Assert.True(completed.Interrupted);
        Assert.Equal(heard.TrimEnd(), completed.Content);

        var reply = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            db => db.Messages.SingleAsync(m => m.Role == "assistant"));
        Assert.Equal(heard.TrimEnd(), reply.Content);
        Assert.Equal(heard.TrimEnd(), reply.HeardContent);
        Assert.True(reply.Interrupted);

        // The next turn's prompt holds only what the user heard.
        harness.CoachReply = _ => FakeResponse.Reply("Good. Let us start there.");
        await ana.TalkAsync(session.SessionId, "t2", "Sorry, go on.");
        var next = harness.TextRequests[^1];
        var assistantHistory = next.Messages.Where(m => m.Role == "assistant").Select(m => m.Content).ToList();
        Assert.Equal([heard.TrimEnd()], assistantHistory);
        Assert.DoesNotContain(next.Messages, m => m.Content.Contains("Fifth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Barge_in_after_generation_cuts_the_stored_reply_the_voice_was_still_speaking()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply(LongReply);
        await using var ana = await harness.ConnectAsync("late-barge@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");
        var completed = await ana.TalkAsync(session.SessionId, "t1", "I feel tense.");

        var cut = await ana.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(null, "First, breathe for a moment."));

        Assert.Equal(LongReply, completed.Content);
        Assert.Equal("First, breathe for a moment.", cut.HeardContent);
        var resumed = await ana.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);
        Assert.Equal("First, breathe for a moment.", resumed.Messages[1].Content);
        Assert.True(resumed.Messages[1].Interrupted);
    }

    [Fact]
    public async Task A_disconnect_mid_reply_stores_what_was_produced_and_resume_returns_exactly_the_missing_messages()
    {
        // No reconnect grace: the reply stops as soon as its only listener is gone.
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Coaching:ReconnectGrace"] = "00:00:00" });
        await using var ana = await harness.ConnectAsync("drop@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "Hello coach.");
        var lastSeen = 2;

        harness.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        await ana.SendTurnAsync(session.SessionId, "t2", "Tell me what to do.");
        var received = await ana.ReadChunksAsync("t2", 2);
        await ana.StopAsync(); // the phone lost its connection

        var textRequest = harness.TextRequests[^1];
        await textRequest.Aborted.WaitAsync(ConversationHarness.Timeout);
        var stored = await CoachClient.WaitForAsync(() =>
        {
            var reply = harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
                db => db.Messages.SingleOrDefaultAsync(m => m.ClientTurnId == "t2" && m.Role == "assistant")).GetAwaiter().GetResult();
            return reply;
        });
        Assert.True(stored.Interrupted);
        Assert.StartsWith(string.Concat(received.Select(c => c.Text)).TrimEnd(), stored.Content);
        Assert.DoesNotContain("Fifth", stored.Content);

        await using var again = await harness.ConnectAsync("drop@example.com");
        var resumed = await again.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, lastSeen);

        Assert.Equal([3, 4], resumed.Messages.Select(m => m.Sequence));
        Assert.Equal("Tell me what to do.", resumed.Messages[0].Content);
        Assert.Equal(stored.Content, resumed.Messages[1].Content);
        Assert.True(resumed.Messages[1].Interrupted);
        Assert.Null(resumed.StreamingTurnId);

        // Sending the interrupted turn again returns the stored reply: no second call, no second row.
        var repeat = await again.SendTurnAsync(session.SessionId, "t2", "Tell me what to do.");
        Assert.Equal("completed", repeat.State);
        Assert.Equal(2, harness.TextRequests.Count);
    }
}
