using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Conversations;

/// <summary>The reply path with real-format provider streams: one model call before the first word, every stop reason honoured.</summary>
public sealed class TurnPipelineTests
{
    private const string Reply = "That sounds like a lot. What would help most right now? Let us find one small step.";

    private static FakeResponse Screen(bool crisis) => FakeResponse.Json(crisis
        ? new { risk_level = "crisis", is_crisis = true, categories = new[] { "self_harm" }, rationale = "A plan was described." }
        : new { risk_level = "none", is_crisis = false, categories = Array.Empty<string>(), rationale = "No risk indicators." });

    [Fact]
    public async Task The_reply_starts_before_the_model_screen_is_asked_and_the_screen_runs_beside_it()
    {
        await using var harness = await ConversationHarness.StartAsync();
        var inner = harness.Llm.Handler;
        harness.Llm.Handler = r => ConversationHarness.TaskOf(r) == "safety_screen"
            ? Screen(crisis: false) with { DelayBeforeFirstByte = TimeSpan.FromMilliseconds(500) }
            : inner(r);
        await using var ana = await harness.ConnectAsync("first-word@example.com");
        var session = await ana.StartSessionAsync();

        await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");

        // The first request of the turn is the coaching reply itself; the screen comes after it.
        var ofTurn = harness.Llm.Requests.Where(r => ConversationHarness.TaskOf(r) != "emotional_snapshot").ToList();
        Assert.Equal(2, ofTurn.Count);
        Assert.Null(ConversationHarness.TaskOf(ofTurn[0]));
        Assert.Equal("safety_screen", ConversationHarness.TaskOf(ofTurn[1]));
        Assert.True(ofTurn[1].ReceivedAt >= ofTurn[0].ReceivedAt);
    }

    [Fact]
    public async Task Text_that_arrives_at_once_goes_out_in_a_few_pieces_and_paced_text_piece_by_piece_with_every_sentence_marked()
    {
        await using var harness = await ConversationHarness.StartAsync();
        var inner = harness.Llm.Handler;
        var paced = false;
        harness.Llm.Handler = r => ConversationHarness.TaskOf(r) is null
            ? FakeResponse.Reply(Reply) with { DelayBetweenChunks = paced ? TimeSpan.FromMilliseconds(40) : null }
            : inner(r);
        await using var ana = await harness.ConnectAsync("pieces@example.com");
        var session = await ana.StartSessionAsync();
        var words = Reply.Split(' ').Length;

        // The whole stream in one body: the words that were already there when the reply went out go together.
        await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");
        var together = Drain(ana, "t1");
        paced = true;
        await ana.TalkAsync(session.SessionId, "t2", "And at home too.");
        var apart = Drain(ana, "t2");

        foreach (var chunks in new[] { together, apart })
        {
            Assert.Equal(Reply, string.Concat(chunks.Select(c => c.Text)));
            Assert.Equal(Enumerable.Range(1, chunks.Count), chunks.Select(c => c.Sequence));
            // Every sentence end is marked, and no piece crosses one.
            Assert.Equal(["That sounds like a lot.", " What would help most right now?", " Let us find one small step."],
                Sentences(chunks));
        }

        Assert.True(together.Count < words / 2, $"{together.Count} pieces for a reply of {words} words that came at once");
        // A word the model paces out is sent when it comes, not held for the next.
        Assert.True(apart.Count >= words, $"{apart.Count} pieces for {words} paced words");
    }

    private static List<ReplyChunk> Drain(CoachClient client, string turnId)
    {
        // Chunks come before TurnCompleted on the connection, so they are all here once the reply is.
        var chunks = new List<ReplyChunk>();
        while (client.Chunks.Reader.TryRead(out var chunk))
        {
            if (chunk.TurnId == turnId)
            {
                chunks.Add(chunk);
            }
        }

        return chunks;
    }

    private static List<string> Sentences(List<ReplyChunk> chunks)
    {
        var sentences = new List<string>();
        var current = "";
        foreach (var chunk in chunks)
        {
            current += chunk.Text;
            if (chunk.SentenceEnd)
            {
                sentences.Add(current);
                current = "";
            }
        }

        Assert.Equal("", current);
        return sentences;
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_crisis_the_local_screen_finds_gets_the_crisis_reply_while_the_provider_is_down()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.Llm.Handler = _ => FakeResponse.Error(503);
        await using var ana = await harness.ConnectAsync("down-crisis@example.com");
        var session = await ana.StartSessionAsync();

        var reply = await ana.TalkAsync(session.SessionId, "t1", "I have pills saved up and tonight I will take them all");

        Assert.Equal("safety", reply.Kind);
        Assert.Contains("988", reply.Content);
        var flagged = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Sessions.Select(s => s.SafetyFlagged).SingleAsync());
        Assert.True(flagged);

        // A content-filter 400 on the prompt: the same, because the local screen never asks the model.
        harness.Llm.Handler = _ => FakeResponse.Error(400) with { ErrorMessage = "The prompt was filtered." };
        var filtered = await ana.TalkAsync(session.SessionId, "t2", "i want to k1ll mys3lf");
        Assert.Equal("safety", filtered.Kind);
    }

    [Fact]
    public async Task A_crisis_the_model_screen_finds_retracts_the_reply_and_the_crisis_reply_replaces_it()
    {
        await using var harness = await ConversationHarness.StartAsync();
        var inner = harness.Llm.Handler;
        harness.Llm.Handler = r => ConversationHarness.TaskOf(r) switch
        {
            "safety_screen" => Screen(crisis: true) with { DelayBeforeFirstByte = TimeSpan.FromMilliseconds(300) },
            null => FakeResponse.Reply(Reply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) },
            _ => inner(r),
        };
        await using var ana = await harness.ConnectAsync("retract@example.com");
        var retracted = new TaskCompletionSource<ReplyRetracted>();
        ana.Connection.On<ReplyRetracted>("ReplyRetracted", r => retracted.TrySetResult(r));
        var session = await ana.StartSessionAsync();

        // Ordinary words the local screen lets through; the (scripted) model screen judges otherwise.
        await ana.SendTurnAsync(session.SessionId, "t1", "Everything is pointless and I have made my plans for Friday.");
        var first = await ana.ReadChunksAsync("t1", 1);
        var signal = await retracted.Task.WaitAsync(ConversationHarness.Timeout);
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());

        Assert.Equal("safety", signal.Reason);
        Assert.NotEmpty(first);
        Assert.Equal("safety", completed.Kind);
        Assert.Contains("988", completed.Content);
        var reply = harness.TextRequests.Single();
        await reply.Aborted.WaitAsync(ConversationHarness.Timeout); // the coaching stream was stopped
        var messages = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            db => db.Messages.OrderBy(m => m.SequenceNumber).Select(m => new { m.Role, m.Kind, m.Content }).ToListAsync());
        Assert.Equal(["user", "system", "assistant"], messages.Select(m => m.Role));
        Assert.Contains("retracted", messages[1].Content);
        Assert.DoesNotContain(messages, m => m.Content.StartsWith("That sounds", StringComparison.Ordinal));
        var flagged = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Sessions.Select(s => s.SafetyFlagged).SingleAsync());
        Assert.True(flagged);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_reply_the_content_filter_stops_is_never_stored_as_a_reply()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply("Here is how you could") with { FinishReason = "content_filter" };
        await using var ana = await harness.ConnectAsync("filtered@example.com");
        var retracted = new TaskCompletionSource<ReplyRetracted>();
        ana.Connection.On<ReplyRetracted>("ReplyRetracted", r => retracted.TrySetResult(r));
        var session = await ana.StartSessionAsync();

        var reply = await ana.TalkAsync(session.SessionId, "t1", "Tell me something.");

        Assert.Equal("content_filter", (await retracted.Task.WaitAsync(ConversationHarness.Timeout)).Reason);
        Assert.Equal("safety", reply.Kind);
        Assert.DoesNotContain("Here is how", reply.Content);
        var db = harness.App.Database.Get<CoachDatabase>();
        var stored = await db.ForUserAsync(ana.UserId, d => d.Messages.Where(m => m.Role != "user").OrderBy(m => m.SequenceNumber).ToListAsync());
        Assert.Contains("content filter", stored[0].Content);
        Assert.DoesNotContain(stored, m => m.Content.Contains("Here is how"));
        Assert.True(await db.ForUserAsync(ana.UserId, d => d.Sessions.Select(s => s.SafetyFlagged).SingleAsync()));
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_reply_cut_at_the_token_limit_is_stored_marked_as_cut_off_and_the_client_is_told()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply("You could start by writing down the three things that") with { FinishReason = "length" };
        await using var ana = await harness.ConnectAsync("length@example.com");
        var session = await ana.StartSessionAsync();

        var reply = await ana.TalkAsync(session.SessionId, "t1", "Where do I begin?");

        Assert.True(reply.CutOff);
        Assert.False(reply.Interrupted);
        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, d => d.Messages.SingleAsync(m => m.Role == "assistant"));
        Assert.True(stored.CutOff);
        harness.CoachReply = _ => FakeResponse.Reply("Start with one thing.");
        var normal = await ana.TalkAsync(session.SessionId, "t2", "Thanks.");
        Assert.False(normal.CutOff);
    }

    [Fact]
    public async Task A_reply_cut_by_a_dropped_connection_goes_on_for_a_client_that_reconnects_within_the_grace()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply(Reply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(200) };
        var phone = await harness.ConnectAsync("grace@example.com");
        var session = await phone.StartSessionAsync();
        await phone.SendTurnAsync(session.SessionId, "t1", "I feel stuck.");
        await phone.ReadChunksAsync("t1", 1);
        await phone.StopAsync(); // the network went away
        await phone.DisposeAsync();

        await using var back = await harness.ConnectAsync("grace@example.com");
        var resumed = await back.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);
        Assert.Equal("t1", resumed.StreamingTurnId);
        var joined = await back.SendTurnAsync(session.SessionId, "t1", "I feel stuck.");
        var completed = await CoachClient.WaitForAsync(() => back.Completed.FirstOrDefault());

        Assert.Equal("streaming", joined.State);
        Assert.False(completed.Interrupted);
        Assert.Equal(Reply, completed.Content);
        Assert.False(harness.TextRequests.Single().WasAborted);
    }
}

/// <summary>Independent model calls made together: one bad answer does not throw away the others'.</summary>
public sealed class PartialFailureTests
{
    [Fact]
    public async Task Ending_keeps_the_part_that_worked_says_what_failed_and_a_second_end_makes_only_the_rest()
    {
        await using var harness = await ConversationHarness.StartAsync();
        var inner = harness.Llm.Handler;
        var goalsDown = true;
        harness.Llm.Handler = r => goalsDown && ConversationHarness.TaskOf(r) == "goal_suggestions" ? FakeResponse.Error(500) : inner(r);
        await using var ana = await harness.ConnectAsync("half-end@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());

        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId));
        Assert.Contains("unavailable: the session could not be ended (the goal suggestions: the model service failed); what worked is kept", error.Message);
        Assert.Single(harness.RequestsFor("session_summary"));

        goalsDown = false;
        var summary = await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);
        Assert.Equal("courage", summary.Virtue!.Name);
        Assert.Single(summary.SuggestedGoals);
        Assert.Single(harness.RequestsFor("session_summary")); // not asked again
    }

    [Fact]
    public async Task Onboarding_keeps_what_worked_names_the_invalid_answer_and_the_same_turn_finishes_the_rest()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Coaching:AssessmentAnswers"] = "2", ["Coaching:TurnBurst"] = "50" });
        var inner = harness.Llm.Handler;
        var scoringBroken = true;
        harness.Llm.Handler = r => scoringBroken && ConversationHarness.TaskOf(r) == "assessment_scoring" ? FakeResponse.Json(new { nonsense = true }) : inner(r);
        await using var ana = await harness.ConnectAsync("half-onboarding@example.com");
        var session = await ana.StartSessionAsync("onboarding_assessment");
        await ana.TalkAsync(session.SessionId, "t1", "I like to get things done.");

        await ana.SendTurnAsync(session.SessionId, "t2", "I push hard and lead the team.");
        var failed = await CoachClient.WaitForAsync(() => ana.Failed.FirstOrDefault());
        Assert.Contains("the personality profile: the model's answer was invalid", failed.Reason);
        Assert.Single(harness.RequestsFor("goal_suggestions"));
        var goals = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Goals.CountAsync());
        Assert.Equal(1, goals); // the valid part is stored

        scoringBroken = false;
        var closing = await ana.TalkAsync(session.SessionId, "t2", "I push hard and lead the team.");
        Assert.Contains("first picture", closing.Content);
        Assert.Single(await CoachClient.WaitForAsync(() => ana.Onboarded.FirstOrDefault() is { } o ? new[] { o } : null));
        Assert.Single(harness.RequestsFor("goal_suggestions")); // not asked again
        Assert.Equal(1, await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Goals.CountAsync()));
    }

    [Fact]
    public async Task Ending_an_onboarding_that_was_never_scored_says_so_and_awards_no_virtue()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Coaching:AssessmentAnswers"] = "5" });
        await using var ana = await harness.ConnectAsync("unscored@example.com");
        var session = await ana.StartSessionAsync("onboarding_assessment");
        await ana.TalkAsync(session.SessionId, "t1", "I like to get things done.");

        var summary = await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        Assert.Null(summary.Virtue);
        Assert.Contains("onboarding assessment was not finished", summary.Notice);
        Assert.Empty(harness.RequestsFor("session_summary"));
    }
}

public sealed class ReplyStorageTests
{
    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_streamed_reply_is_stored_even_when_the_database_drops_the_services_connections_meanwhile()
    {
        await using var harness = await ConversationHarness.StartAsync();
        const string text = "First, breathe. Second, notice the tension. Third, name one thing to drop today.";
        harness.CoachReply = _ => FakeResponse.Reply(text) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        await using var ana = await harness.ConnectAsync("db-drop@example.com");
        var session = await ana.StartSessionAsync();
        await ana.SendTurnAsync(session.SessionId, "t1", "I feel tense.");
        await ana.ReadChunksAsync("t1", 1);

        // Every pooled connection of the service dies while the reply streams (a failover, a restart).
        await using (var owner = await harness.App.Database.OpenOwnerAsync())
        {
            await using var kill = new Npgsql.NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", owner);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }

        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        Assert.Equal(text, completed.Content);
        Assert.Empty(ana.Failed);
        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Messages.SingleAsync(m => m.Role == "assistant"));
        Assert.Equal(text, stored.Content);
    }
}
