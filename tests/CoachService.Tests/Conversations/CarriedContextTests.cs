using CoachService.Conversations;
using CoachService.Goals;
using CoachService.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoachService.Tests.Conversations;

/// <summary>
/// A session's next turn sends its reply's model request before the database has found and claimed it, from the
/// context this instance carried from the session's start or its last turn (<see cref="CarriedContexts"/>, issue 10),
/// and keeps it only when the database's context makes the same prompt.
/// </summary>
public sealed class CarriedContextTests
{
    /// <summary>Holds back every read of messages (the turn's find) until the returned transaction ends.</summary>
    private static Task<(NpgsqlConnection Owner, NpgsqlTransaction Lock)> HoldMessageReadsAsync(ConversationHarness harness) =>
        EarlyModelRequestTests.LockMessagesAsync(harness.App.Database, "ACCESS EXCLUSIVE");

    private static async Task<FakeRequest?> RequestWhileTheDatabaseIsHeldAsync(ConversationHarness harness, CoachClient client, Guid session, string turnId, string text, int requestsBefore)
    {
        var (owner, held) = await HoldMessageReadsAsync(harness);
        await using (owner)
        {
            var send = client.SendTurnAsync(session, turnId, text);
            FakeRequest? request = null;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            while (request is null && DateTime.UtcNow < deadline)
            {
                request = harness.TextRequests.Skip(requestsBefore).FirstOrDefault();
                await Task.Delay(20);
            }

            Assert.False(send.IsCompleted);
            while (client.Chunks.Reader.TryRead(out var chunk))
            {
                Assert.True(chunk.TurnId != turnId, "a piece of the reply reached the client before its turn was found");
            }

            await held.CommitAsync();
            Assert.Equal("streaming", (await send.WaitAsync(ConversationHarness.Timeout)).State);
            return request;
        }
    }

    [Fact]
    public async Task A_sessions_next_turn_sends_its_request_before_the_database_has_found_the_turn_and_keeps_it()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("carried-next@example.com", "Ana");
        var session = await ana.StartSessionAsync();
        var first = await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());

        var request = await RequestWhileTheDatabaseIsHeldAsync(harness, ana, session.SessionId, "t2", "Mostly the deadlines.", requestsBefore: 1);

        Assert.NotNull(request);
        Assert.Contains(request.Messages, m => m.Role == "user" && m.Content == "Work has been a lot this week.");
        Assert.Contains(request.Messages, m => m.Role == "assistant" && m.Content == first.Content);
        Assert.Contains(request.Messages, m => m.Role == "user" && m.Content.Contains("Mostly the deadlines.") && m.Content.Contains("Ana"));
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault(c => c.TurnId == "t2"));
        Assert.False(string.IsNullOrWhiteSpace(completed.Content));
        Assert.Null(completed.WastedInputTokens);
        // One request a turn: the early one was the reply's.
        Assert.Equal(2, harness.TextRequests.Count);
        Assert.False(request.WasAborted);
    }

    [Fact]
    public async Task A_started_sessions_first_turn_sends_its_request_before_the_database_has_found_the_turn()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("carried-first@example.com", "Ana");
        var session = await ana.StartSessionAsync();

        var request = await RequestWhileTheDatabaseIsHeldAsync(harness, ana, session.SessionId, "t1", "I want to sleep better.", requestsBefore: 0);

        Assert.NotNull(request);
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        Assert.Null(completed.WastedInputTokens);
        Assert.Single(harness.TextRequests);
    }

    [Fact]
    public async Task Switched_off_the_request_waits_for_the_database()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Coaching:CarriedContexts"] = "0" });
        await using var ana = await harness.ConnectAsync("carried-off@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");

        Assert.Null(await RequestWhileTheDatabaseIsHeldAsync(harness, ana, session.SessionId, "t2", "Mostly the deadlines.", requestsBefore: 1));
        await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault(c => c.TurnId == "t2"));
        Assert.Equal(2, harness.TextRequests.Count);
    }

    [Fact]
    public async Task A_context_changed_elsewhere_drops_the_early_request_and_the_reply_is_built_from_the_database()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("carried-stale@example.com", "Ana");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        // Written as another instance would: this instance cannot know.
        await using (var owner = await harness.App.Database.OpenOwnerAsync())
        await using (var rename = new NpgsqlCommand("UPDATE users SET name = 'Anabel' WHERE id = @id", owner))
        {
            rename.Parameters.AddWithValue("id", ana.UserId);
            Assert.Equal(1, await rename.ExecuteNonQueryAsync());
        }

        var completed = await ana.TalkAsync(session.SessionId, "t2", "Mostly the deadlines.");

        var requests = harness.TextRequests;
        Assert.Equal(3, requests.Count);
        Assert.Contains(requests[1].Messages, m => m.Role == "user" && m.Content.Contains("Name: Ana\n"));
        Assert.Contains(requests[2].Messages, m => m.Role == "user" && m.Content.Contains("Name: Anabel"));
        Assert.False(requests[2].WasAborted);
        // The dropped request's prompt counts as the turn's waste.
        Assert.True(completed.WastedInputTokens > 0, $"wasted {completed.WastedInputTokens}");
        Assert.Equal(2, ana.Completed.Count);
    }

    [Fact]
    public async Task A_goal_changed_on_this_instance_drops_the_carried_context_before_any_request()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("carried-goal@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");
        await harness.App.Services.GetRequiredService<GoalBook>().CreateAsync(ana.UserId, new NewGoal("Leave work by six"));

        var completed = await ana.TalkAsync(session.SessionId, "t2", "Mostly the deadlines.");

        var requests = harness.TextRequests;
        Assert.Equal(2, requests.Count);
        Assert.Contains(requests[1].Messages, m => m.Role == "user" && m.Content.Contains("Leave work by six"));
        Assert.Null(completed.WastedInputTokens);
    }

    [Fact]
    public async Task A_repeated_turn_leaves_the_carried_context_for_the_next_one()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("carried-repeat@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        Assert.Equal("completed", (await ana.SendTurnAsync(session.SessionId, "t1", "Work has been a lot this week.")).State);

        var request = await RequestWhileTheDatabaseIsHeldAsync(harness, ana, session.SessionId, "t2", "Mostly the deadlines.", requestsBefore: 1);

        Assert.NotNull(request);
        await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault(c => c.TurnId == "t2"));
        Assert.Equal(2, harness.TextRequests.Count);
    }
}
