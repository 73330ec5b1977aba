using CoachService.Persistence;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Reliability;

/// <summary>The provider misbehaves under a whole turn (hub, orchestrator, resilience, database), not under one client call.</summary>
[Trait("Suite", "Reliability")]
public sealed class LlmFaultTests
{
    private const string Reply = "Let us take one small step. What would it be?";

    // Timeouts generous enough for a loaded machine: only the hang test wants them to fire.
    private static Dictionary<string, string?> Resilience(int retries = 2, string firstToken = "00:00:10", string attempt = "00:00:15", string total = "00:00:20") => new()
    {
        ["Llm:Resilience:MaxRetryAttempts"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Llm:Resilience:BaseDelay"] = "00:00:00.010",
        ["Llm:Resilience:MaxDelay"] = "00:00:05",
        ["Llm:Resilience:FirstTokenTimeout"] = firstToken,
        ["Llm:Resilience:AttemptTimeout"] = attempt,
        ["Llm:Resilience:TotalTimeout"] = total,
    };

    private static Task<List<CoachService.Sessions.Message>> MessagesAsync(ConversationHarness harness, CoachClient client) =>
        harness.App.Database.Get<CoachDatabase>().ForUserAsync(client.UserId, db => db.Messages.OrderBy(m => m.SequenceNumber).ToListAsync());

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_and_one_reply_is_stored()
    {
        await using var harness = await ConversationHarness.StartAsync(Resilience());
        var replies = 0;
        harness.CoachReply = _ => Interlocked.Increment(ref replies) == 1 ? FakeResponse.Error(429, retryAfter: "1") : FakeResponse.Reply(Reply);
        await using var ana = await harness.ConnectAsync("throttled@example.com");
        var session = await ana.StartSessionAsync();

        var completed = await ana.TalkAsync(session.SessionId, "t1", "Hello.");

        Assert.Equal(Reply, completed.Content);
        Assert.Empty(ana.Failed);
        var attempts = harness.TextRequests;
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].ReceivedAt - attempts[0].ReceivedAt >= TimeSpan.FromMilliseconds(900), "the retry did not wait for Retry-After");
        var stored = await MessagesAsync(harness, ana);
        Assert.Equal(["user", "assistant"], stored.Select(m => m.Role));
        Assert.Equal(Reply, stored[1].Content);
    }

    [Theory]
    [InlineData("86400", null)]
    [InlineData(null, "86400000")]
    public async Task A_429_asking_for_a_day_is_a_clear_coach_unavailable_at_once_and_the_users_turn_is_kept(string? retryAfter, string? retryAfterMs)
    {
        await using var harness = await ConversationHarness.StartAsync(Resilience());
        harness.CoachReply = _ => FakeResponse.Error(429, retryAfter, retryAfterMs);
        await using var ana = await harness.ConnectAsync("a-day@example.com");
        var session = await ana.StartSessionAsync();

        await ana.SendTurnAsync(session.SessionId, "t1", "Are you there?");
        var failed = await CoachClient.WaitForAsync(() => ana.Failed.FirstOrDefault());

        Assert.Equal("the coach is unavailable for a moment; send the turn again shortly", failed.Reason);
        Assert.Single(harness.TextRequests); // not retried: the wait is beyond the budget
        var stored = await MessagesAsync(harness, ana);
        Assert.Equal("Are you there?", Assert.Single(stored).Content);
        Assert.Equal("user", stored[0].Role);
    }

    [Fact]
    public async Task Server_errors_past_the_breaker_threshold_fail_later_turns_without_calling_upstream_then_it_recovers()
    {
        var settings = Resilience(retries: 0);
        settings["Llm:Resilience:MinimumThroughput"] = "2";
        settings["Llm:Resilience:FailureRatio"] = "0.5";
        settings["Llm:Resilience:BreakDuration"] = "00:00:01";
        await using var harness = await ConversationHarness.StartAsync(settings);
        var answer = harness.Llm.Handler;
        var down = true;
        harness.Llm.Handler = request => down ? FakeResponse.Error(500) : answer(request);
        await using var ana = await harness.ConnectAsync("breaker@example.com");
        var session = await ana.StartSessionAsync();

        // Fail turns until the breaker opens: then a turn fails without a request reaching the provider.
        var opened = false;
        for (var i = 0; i < 10 && !opened; i++)
        {
            var before = harness.TextRequests.Count;
            await ana.SendTurnAsync(session.SessionId, $"down-{i}", "Hello?");
            var failed = await CoachClient.WaitForAsync(() => ana.Failed.FirstOrDefault(f => f.TurnId == $"down-{i}"));
            opened = harness.TextRequests.Count == before;
            if (opened)
            {
                Assert.Equal("the coach is unavailable for a moment; send the turn again shortly", failed.Reason);
            }
        }

        Assert.True(opened, "the breaker never opened");
        down = false;
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var completed = await ana.TalkAsync(session.SessionId, "after", "Back again.");
        Assert.Equal("text", completed.Kind);
        var stored = await MessagesAsync(harness, ana);
        Assert.Single(stored, m => m.Role == "assistant");
        Assert.All(stored.Where(m => m.Role == "user"), m => Assert.Contains(m.ClientTurnId, new[] { "after" }.Concat(Enumerable.Range(0, 10).Select(i => $"down-{i}"))));
    }

    [Fact]
    public async Task A_provider_that_hangs_is_cut_by_the_timeouts_and_the_turn_fails_clearly()
    {
        await using var harness = await ConversationHarness.StartAsync(Resilience(retries: 0, firstToken: "00:00:02", attempt: "00:00:03", total: "00:00:04"));
        harness.CoachReply = _ => FakeResponse.Reply(Reply) with { DelayBeforeFirstByte = TimeSpan.FromMinutes(10) };
        await using var ana = await harness.ConnectAsync("hang@example.com");
        var session = await ana.StartSessionAsync();

        await ana.SendTurnAsync(session.SessionId, "t1", "Hello?");
        var failed = await CoachClient.WaitForAsync(() => ana.Failed.FirstOrDefault());

        Assert.Equal("the coach took too long to answer; send the turn again", failed.Reason);
        await harness.TextRequests.Single().Aborted.WaitAsync(ConversationHarness.Timeout); // the hung request was given up, not left open
        var stored = await MessagesAsync(harness, ana);
        Assert.Equal("user", Assert.Single(stored).Role);
    }

    public static TheoryData<string> BrokenStreams => ["dropped", "malformed", "empty", "no finish reason"];

    private static FakeResponse Broken(string defect) => defect switch
    {
        "dropped" => FakeResponse.Reply(Reply) with { DropAfterChunks = 3, DelayBetweenChunks = TimeSpan.FromMilliseconds(5) },
        "malformed" => FakeResponse.Reply(Reply) with { MalformedChunkAfter = 3 },
        "empty" => FakeResponse.Reply(""),
        _ => FakeResponse.Reply(Reply) with { OmitFinishReason = true },
    };

    [Theory]
    [MemberData(nameof(BrokenStreams))]
    public async Task A_broken_stream_stores_no_reply_and_the_turn_sent_again_gets_the_whole_reply_once(string defect)
    {
        await using var harness = await ConversationHarness.StartAsync(Resilience());
        var replies = 0;
        harness.CoachReply = _ => Interlocked.Increment(ref replies) == 1 ? Broken(defect) : FakeResponse.Reply(Reply);
        await using var ana = await harness.ConnectAsync($"broken-{defect.Replace(' ', '-')}@example.com");
        var session = await ana.StartSessionAsync();

        await ana.SendTurnAsync(session.SessionId, "t1", "Tell me something.");
        var failed = await CoachClient.WaitForAsync(() => ana.Failed.FirstOrDefault());
        Assert.Empty(ana.Completed);
        Assert.DoesNotContain(await MessagesAsync(harness, ana), m => m.Role == "assistant");
        Assert.EndsWith("send the turn again", failed.Reason);

        var again = await ana.TalkAsync(session.SessionId, "t1", "Tell me something.");

        Assert.Equal(Reply, again.Content);
        var stored = await MessagesAsync(harness, ana);
        Assert.Equal(["user", "assistant"], stored.Select(m => m.Role));
        Assert.Equal(Reply, stored[1].Content); // nothing of the broken attempt is doubled into it
        Assert.False(stored[1].CutOff);
    }
}
