using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Conversations;

/// <summary>Hostile and unlucky calls: each gets a clear, coded error and changes nothing.</summary>
public sealed class ProtocolEdgeTests
{
    private const string SlowReply = "First, breathe for a moment. Second, notice where the tension sits. Third, name one thing you can drop today.";

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task The_same_turn_id_with_another_text_while_its_reply_streams_is_a_conflict_not_a_join()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply(SlowReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        await using var ana = await harness.ConnectAsync("conflict-stream@example.com");
        var session = await ana.StartSessionAsync();
        await ana.SendTurnAsync(session.SessionId, "t1", "I feel tense all the time.");
        await ana.ReadChunksAsync("t1", 1);

        var conflict = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(session.SessionId, "t1", "Something else entirely."));
        Assert.Contains("conflict: turn_id: turn id 't1' is being answered for a different message", conflict.Message);

        // The same text still joins.
        var joined = await ana.SendTurnAsync(session.SessionId, "t1", "I feel tense all the time.");
        Assert.Equal("streaming", joined.State);
        await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        var users = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            db => db.Messages.CountAsync(m => m.Role == "user"));
        Assert.Equal(1, users);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Null_arguments_are_invalid_arguments_named_after_the_field()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("nulls@example.com");
        var session = await ana.StartSessionAsync();

        async Task<string> Refused(string method, params object?[] args) =>
            (await Assert.ThrowsAsync<HubException>(() => ana.Connection.InvokeCoreAsync(method, typeof(object), args))).Message;

        Assert.Contains("invalid_argument: request: request is required", await Refused("StartSession", [null]));
        Assert.Contains("invalid_argument: session_type:", await Refused("StartSession", new { persona = "warm_friend" }));
        Assert.Contains("invalid_argument: turn_id:", await Refused("SendTurn", session.SessionId, null, "Hello"));
        Assert.Contains("invalid_argument: text: text must not be empty", await Refused("SendTurn", session.SessionId, "t1", null));
        Assert.Contains("invalid_argument: heard: heard is required", await Refused("Interrupt", session.SessionId, "t1", null));
        Assert.Contains("invalid_argument: heard:", await Refused("Interrupt", session.SessionId, "t1", new { }));
        Assert.Empty(harness.Llm.Requests);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Nul_characters_in_any_text_are_refused_with_a_clear_error()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("nul@example.com");
        var session = await ana.StartSessionAsync();

        var text = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(session.SessionId, "t1", "Hello\0there"));
        Assert.Contains("invalid_argument: text: text must not contain NUL characters", text.Message);
        var turnId = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(session.SessionId, "t\01", "Hello"));
        Assert.Contains("invalid_argument: turn_id: turn_id must not contain NUL characters", turnId.Message);
        var partial = await Assert.ThrowsAsync<HubException>(() => ana.InvokeAsync<object?>("SendPartialTranscript", session.SessionId, "Hel\0"));
        Assert.Contains("invalid_argument: text:", partial.Message);
        var heard = await Assert.ThrowsAsync<HubException>(() => ana.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(null, "a\0")));
        Assert.Contains("invalid_argument: heard.text:", heard.Message);

        // The connection is still usable and nothing was stored.
        await ana.TalkAsync(session.SessionId, "t2", "Hello there");
        var messages = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Messages.CountAsync());
        Assert.Equal(2, messages);
    }

    [Fact]
    public async Task Interrupting_before_anything_was_heard_stores_no_empty_message_and_the_turn_can_be_sent_again()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => FakeResponse.Reply(SlowReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        await using var ana = await harness.ConnectAsync("zero-heard@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");
        await ana.SendTurnAsync(session.SessionId, "t1", "I feel tense.");
        await ana.ReadChunksAsync("t1", 1);

        var cut = await ana.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(0, null));
        Assert.Null(cut.Sequence);
        Assert.Equal("", cut.HeardContent);
        var failed = await CoachClient.WaitForAsync(() => ana.Failed.FirstOrDefault());
        Assert.Equal(TurnOrchestrator.NothingKept, failed.Reason);
        Assert.Empty(ana.Completed);
        var db = harness.App.Database.Get<CoachDatabase>();
        Assert.Equal(0, await db.ForUserAsync(ana.UserId, d => d.Messages.CountAsync(m => m.Role == "assistant")));

        // After generation: a reply heard not at all is removed, not kept empty.
        harness.CoachReply = _ => FakeResponse.Reply("Let us begin with one breath.");
        var again = await ana.TalkAsync(session.SessionId, "t1", "I feel tense.");
        Assert.Equal("Let us begin with one breath.", again.Content);
        var removed = await ana.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(null, ""));
        Assert.Null(removed.Sequence);
        Assert.Equal(0, await db.ForUserAsync(ana.UserId, d => d.Messages.CountAsync(m => m.Role == "assistant" && m.Content == "")));
        Assert.Equal(0, await db.ForUserAsync(ana.UserId, d => d.Messages.CountAsync(m => m.Role == "assistant")));
    }
}

public sealed class RefusalLoggingTests
{
    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task An_expected_refusal_is_logged_once_at_information_without_a_stack_trace()
    {
        await using var harness = await ConversationHarness.StartAsync(captureLogs: true);
        await using var ana = await harness.ConnectAsync("refusal-logs@example.com");
        var logs = harness.App.Logs!;
        var before = logs.Count;

        await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(Guid.NewGuid(), "t1", "Hello")); // not_found
        await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(Guid.NewGuid(), "", "Hello")); // invalid_argument
        await Task.Delay(200); // let the dispatcher finish logging

        var entries = logs.GetSnapshot().Skip(before).Where(e => e.Level >= LogLevel.Information || e.Exception is not null).ToList();
        Assert.Equal(2, entries.Count(e => e.Message.Contains("refused", StringComparison.Ordinal)));
        Assert.All(entries, e => Assert.Null(e.Exception));
        Assert.All(entries, e => Assert.True(e.Level <= LogLevel.Information, $"{e.Level}: {e.Category}: {e.Message}"));
        Assert.Equal(2, entries.Count);
    }
}
