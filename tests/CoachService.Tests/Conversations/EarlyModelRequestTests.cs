using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CoachService.Tests.Conversations;

/// <summary>
/// The reply's model request leaves once the turn is claimed and its context read, while the user's message
/// is written and committed (issue 10): nothing of the reply reaches a client before the commit, and a
/// message that is not committed takes its request down with it.
/// </summary>
public sealed class EarlyModelRequestTests
{
    /// <summary>Holds back every insert into messages (the turn's write) until the returned transaction ends.</summary>
    private static Task<(NpgsqlConnection Owner, NpgsqlTransaction Lock)> HoldMessageWritesAsync(ConversationHarness harness) =>
        LockMessagesAsync(harness.App.Database, "SHARE");

    /// <summary>Locks the messages table in <paramref name="mode"/> until the returned transaction ends.</summary>
    internal static async Task<(NpgsqlConnection Owner, NpgsqlTransaction Lock)> LockMessagesAsync(CoachTestDatabase database, string mode)
    {
        var owner = await database.OpenOwnerAsync();
        var transaction = await owner.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"LOCK TABLE messages IN {mode} MODE", owner, transaction);
        await command.ExecuteNonQueryAsync();
        return (owner, transaction);
    }

    private static Task<int> StoredMessagesAsync(ConversationHarness harness, Guid userId) =>
        harness.App.Database.Get<CoachDatabase>().ForUserAsync(userId, db => db.Messages.CountAsync());

    [Fact]
    public async Task The_replys_request_leaves_before_the_message_is_committed_and_its_words_wait_for_the_commit()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("early-request@example.com");
        var session = await ana.StartSessionAsync();
        var (owner, held) = await HoldMessageWritesAsync(harness);
        Task<TurnAccepted> send;
        await using (owner)
        {
            send = ana.SendTurnAsync(session.SessionId, "t1", "Work has been a lot this week.");

            // The model has the request (and has answered it in full) while the message's insert waits.
            var request = await CoachClient.WaitForAsync(() => harness.TextRequests.FirstOrDefault());
            await Task.Delay(300);
            Assert.False(send.IsCompleted);
            Assert.False(ana.Chunks.Reader.TryRead(out _), "a piece of the reply reached the client before its message was stored");
            Assert.Equal(0, await StoredMessagesAsync(harness, ana.UserId));
            Assert.Contains(request.Messages, m => m.Role == "user" && m.Content.Contains("Work has been a lot this week."));

            await held.CommitAsync();
        }

        var accepted = await send.WaitAsync(ConversationHarness.Timeout);
        Assert.Equal("streaming", accepted.State);
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        Assert.Equal("t1", completed.TurnId);
        Assert.False(string.IsNullOrWhiteSpace(completed.Content));
        Assert.Single(harness.TextRequests);
        Assert.Equal(2, await StoredMessagesAsync(harness, ana.UserId)); // the message and its reply, once each
    }

    [Fact]
    public async Task A_message_that_is_not_committed_drops_its_replys_request_and_the_same_turn_can_be_sent_again()
    {
        await using var harness = await ConversationHarness.StartAsync();
        var inner = harness.Llm.Handler;
        var replies = 0;
        // The first reply would take long: it is still being waited for when the unit fails.
        harness.Llm.Handler = r => ConversationHarness.TaskOf(r) is null && Interlocked.Increment(ref replies) == 1
            ? inner(r) with { DelayBeforeFirstByte = TimeSpan.FromSeconds(20) }
            : inner(r);
        await using var ana = await harness.ConnectAsync("early-dropped@example.com");
        var session = await ana.StartSessionAsync();
        var (owner, held) = await HoldMessageWritesAsync(harness);
        Task<TurnAccepted> send;
        FakeRequest request;
        await using (owner)
        {
            send = ana.SendTurnAsync(session.SessionId, "t1", "Work has been a lot this week.");
            request = await CoachClient.WaitForAsync(() => harness.TextRequests.FirstOrDefault());

            // The service's connection, once it waits for the lock (the session's first turn may send its request
            // before the unit gets there: CarriedContexts), is cut: the message's unit fails.
            await using (var cut = new NpgsqlCommand("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                """, owner, held))
            {
                var deadline = DateTime.UtcNow + ConversationHarness.Timeout;
                while (await cut.ExecuteScalarAsync() is not true)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the message's unit never waited for the lock");
                    await Task.Delay(20);
                }
            }

            await held.CommitAsync();
        }

        var failure = await Assert.ThrowsAsync<HubException>(() => send.WaitAsync(ConversationHarness.Timeout));
        Assert.DoesNotContain("Work has been", failure.Message);
        await request.Aborted.WaitAsync(ConversationHarness.Timeout);
        Assert.False(ana.Chunks.Reader.TryRead(out _));
        Assert.Empty(ana.Completed);
        Assert.Equal(0, await StoredMessagesAsync(harness, ana.UserId));

        // Nothing was half-stored: the same turn id gets a whole reply.
        var again = await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");
        Assert.Equal("t1", again.TurnId);
        Assert.Equal(2, await StoredMessagesAsync(harness, ana.UserId));
    }
}
