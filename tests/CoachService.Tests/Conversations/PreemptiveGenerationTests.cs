using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Safety;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Conversations;

/// <summary>
/// Replies started from stable partial transcripts, on the real host with the fake LLM: adopted by a
/// matching final, cancelled by a different one, never for a crisis, within their limits, and counted
/// when wasted. The quiet time is long unless a test is about it, so only the client's stable mark starts one.
/// </summary>
public sealed class PreemptiveGenerationTests
{
    private const string Reply = "That sounds like a full week. What would help most right now?";

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Preemptive:QuietTime"] = "00:00:10",
            ["Logging:LogLevel:CoachService.Conversations.Preemptive"] = "Debug",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static Task PartialAsync(CoachClient client, Guid session, string text, bool stable = true) =>
        client.InvokeAsync<object?>("SendPartialTranscript", session, text, stable);

    /// <summary>What the user said, as the coaching prompt renders it last ("Message:" and the text).</summary>
    private static string LastUserMessage(FakeRequest request) =>
        request.Messages.Last(m => m.Role == "user").Content.Split("Message:\n")[^1].Trim();

    private static Task<FakeRequest> WaitForTextRequestAsync(ConversationHarness harness, int count) =>
        CoachClient.WaitForAsync(() => harness.TextRequests.Count >= count ? harness.TextRequests[count - 1] : null);

    private static async Task<string> WaitForLogAsync(ConversationHarness harness, string fragment) =>
        await CoachClient.WaitForAsync(() => harness.App.Logs!.GetSnapshot().Select(r => r.Message).FirstOrDefault(m => m.Contains(fragment, StringComparison.Ordinal)));

    [Fact]
    public async Task A_matching_final_adopts_the_speculation_with_one_model_request_and_its_first_chunk_before_a_fresh_request_could_give_one()
    {
        var timeToFirstToken = TimeSpan.FromSeconds(1);
        await using var harness = await ConversationHarness.StartAsync(Settings(), llmOptions: new FakeLlmServerOptions { TimeToFirstToken = timeToFirstToken });
        harness.CoachReply = _ => FakeResponse.Reply(Reply);
        await using var ana = await harness.ConnectAsync("adopt@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "work has been a lot this week");
        var speculative = await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        Assert.Null(ConversationHarness.TaskOf(speculative));
        await CoachClient.WaitForAsync(() => speculative.FirstTokenAt);
        Assert.Empty(ana.Completed); // nothing was sent before the final

        var finalSentAt = DateTimeOffset.UtcNow;
        var accepted = await ana.SendTurnAsync(session.SessionId, "t1", "Work has been a lot, this week!");
        Assert.Equal("streaming", accepted.State);
        var first = (await ana.ReadChunksAsync("t1", 1))[0];
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault(c => c.TurnId == "t1"));

        var request = Assert.Single(harness.TextRequests);
        Assert.Same(speculative, request);
        Assert.Equal("work has been a lot this week", LastUserMessage(request));
        // The model's first token existed before the final was sent: a request made for the final could
        // only have had one a whole time to first token after it.
        Assert.True(request.FirstTokenAt < finalSentAt, $"first token at {request.FirstTokenAt:O}, final sent at {finalSentAt:O}");
        Assert.True(completed.TimeToFirstTokenMs < timeToFirstToken.TotalMilliseconds, $"time to first token {completed.TimeToFirstTokenMs} ms");
        Assert.Equal(1, first.Sequence);
        Assert.Equal(Reply, completed.Content);
        Assert.Null(completed.WastedInputTokens);
        Assert.Null(completed.WastedOutputTokens);

        // Stored as any turn: the final transcript as the user's message, then the reply.
        var messages = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            db => db.Messages.OrderBy(m => m.SequenceNumber).Select(m => new { m.Role, m.Content }).ToListAsync());
        Assert.Equal([("user", "Work has been a lot, this week!"), ("assistant", Reply)], messages.Select(m => (m.Role, m.Content)));
    }

    [Fact]
    public async Task A_partial_without_the_stable_mark_is_stable_after_the_quiet_time()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings(("Preemptive:QuietTime", "00:00:00.050")));
        await using var ana = await harness.ConnectAsync("quiet@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        // The two-argument call of clients that know nothing of the flag.
        await ana.InvokeAsync<object?>("SendPartialTranscript", session.SessionId, "I slept badly");
        var speculative = await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        Assert.Equal("I slept badly", LastUserMessage(speculative));

        var completed = await ana.TalkAsync(session.SessionId, "t1", "I slept badly.");
        Assert.Single(harness.TextRequests);
        Assert.Equal(harness.CoachReply(speculative).Text, completed.Content);
    }

    [Fact]
    public async Task A_different_final_cancels_the_speculation_and_gets_a_reply_for_its_own_text()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings());
        harness.CoachReply = r => FakeResponse.Reply("You said: " + LastUserMessage(r)) with
        {
            DelayBeforeFirstByte = LastUserMessage(r) == "I had a good" ? TimeSpan.FromSeconds(20) : TimeSpan.Zero,
        };
        await using var ana = await harness.ConnectAsync("cancel@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "I had a good");
        var speculative = await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        var completed = await ana.TalkAsync(session.SessionId, "t1", "I had a good idea but my boss hated it");

        await speculative.Aborted.WaitAsync(ConversationHarness.Timeout);
        Assert.Equal(2, harness.TextRequests.Count);
        Assert.Equal("I had a good idea but my boss hated it", LastUserMessage(harness.TextRequests[1]));
        Assert.Equal("You said: I had a good idea but my boss hated it", completed.Content);
    }

    [Fact]
    public async Task A_crisis_final_gets_the_crisis_reply_whatever_was_speculated()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings());
        harness.CoachReply = _ => FakeResponse.Reply(Reply) with { DelayBeforeFirstByte = TimeSpan.FromSeconds(20) };
        await using var ana = await harness.ConnectAsync("crisis-final@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "I am so tired of everything");
        var speculative = await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        var completed = await ana.TalkAsync(session.SessionId, "t1", "I am so tired of everything, I want to kill myself");

        Assert.Equal("safety", completed.Kind);
        Assert.Equal(LocalCrisisScreen.ScreenName, completed.Model);
        await speculative.Aborted.WaitAsync(ConversationHarness.Timeout);
        Assert.Single(harness.TextRequests);
    }

    [Fact]
    public async Task A_crisis_partial_starts_no_speculation()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings(), captureLogs: true);
        await using var ana = await harness.ConnectAsync("crisis-partial@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "I want to kill myself");
        await WaitForLogAsync(harness, "(crisis)");
        Assert.Empty(harness.Llm.Requests);

        var completed = await ana.TalkAsync(session.SessionId, "t1", "I want to kill myself.");
        Assert.Equal("safety", completed.Kind);
        Assert.Empty(harness.TextRequests);
    }

    [Fact]
    public async Task At_most_the_configured_number_of_speculations_per_turn_then_again_after_the_turn()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings(("Preemptive:MaxSpeculationsPerTurn", "2")), captureLogs: true);
        await using var ana = await harness.ConnectAsync("limit@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "one");
        await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        await PartialAsync(ana, session.SessionId, "one two");
        await harness.Llm.WaitForRequestAsync(2, ConversationHarness.Timeout);
        await PartialAsync(ana, session.SessionId, "one two three");
        await WaitForLogAsync(harness, "(limit)");
        Assert.Equal(2, harness.TextRequests.Count);

        // The final is answered afresh: the last speculation was for other words.
        await ana.TalkAsync(session.SessionId, "t1", "One, two, three.");
        Assert.Equal(3, harness.TextRequests.Count);

        // A paid turn allows speculations again.
        await PartialAsync(ana, session.SessionId, "four");
        Assert.Equal("four", LastUserMessage(await WaitForTextRequestAsync(harness, 4)));
    }

    [Fact]
    public async Task No_speculation_once_the_user_has_spoken_longer_than_the_limit()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings(("Preemptive:MaxSpeechLength", "00:00:00.200")), captureLogs: true);
        await using var ana = await harness.ConnectAsync("long-speech@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "so", stable: false);
        await Task.Delay(TimeSpan.FromMilliseconds(400)); // the user keeps talking past the limit
        await PartialAsync(ana, session.SessionId, "so anyway");
        await WaitForLogAsync(harness, "(speech_too_long)");
        Assert.Empty(harness.Llm.Requests);
    }

    [Fact]
    public async Task A_speculation_reaching_its_token_cap_is_stopped_and_the_final_is_answered_afresh()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings(("Preemptive:MaxTokensPerSpeculation", "3")), captureLogs: true);
        // Slower than .NET's response drain (2 s): a stream stopped between reads is drained that long before its connection closes.
        harness.CoachReply = _ => FakeResponse.Reply(Reply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(400) };
        await using var ana = await harness.ConnectAsync("cap@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "my week was long");
        var speculative = await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        Assert.Contains("ended: capped", await WaitForLogAsync(harness, "model stream ended"), StringComparison.Ordinal);
        await speculative.Aborted.WaitAsync(ConversationHarness.Timeout); // stopped at the cap, before any final

        var completed = await ana.TalkAsync(session.SessionId, "t1", "My week was long.");
        Assert.Equal(2, harness.TextRequests.Count);
        Assert.Equal(Reply, completed.Content);
        Assert.InRange(completed.WastedOutputTokens!.Value, 3, 5); // estimated: about four characters a token
    }

    [Theory]
    [InlineData("Preemptive:DisabledSessionTypes:0", "spoken_presence", "(session_type)")]
    [InlineData("Preemptive:Enabled", "false", "(off)")]
    public async Task Speculation_can_be_off_per_session_type_or_globally(string key, string value, string reason)
    {
        await using var harness = await ConversationHarness.StartAsync(Settings((key, value)), captureLogs: true);
        await using var ana = await harness.ConnectAsync("off@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "hello there");
        await WaitForLogAsync(harness, reason);
        await ana.TalkAsync(session.SessionId, "t1", "Hello there.");
        var request = Assert.Single(harness.TextRequests);
        Assert.Equal("Hello there.", LastUserMessage(request));
    }

    [Fact]
    public async Task A_user_without_a_turn_left_in_the_rate_limit_gets_no_speculation()
    {
        await using var harness = await ConversationHarness.StartAsync(
            Settings(("Coaching:TurnBurst", "1"), ("Coaching:TurnsPerMinute", "1")), captureLogs: true);
        await using var ana = await harness.ConnectAsync("rate@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");
        await ana.TalkAsync(session.SessionId, "t1", "Hi.");

        await PartialAsync(ana, session.SessionId, "and another thing");
        await WaitForLogAsync(harness, "(rate_limited)");
        Assert.Single(harness.TextRequests);
    }

    [Fact]
    public async Task An_adopted_speculation_spends_one_turn_of_the_rate_limit()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings(("Coaching:TurnBurst", "1"), ("Coaching:TurnsPerMinute", "1")));
        await using var ana = await harness.ConnectAsync("rate-adopt@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "I need a plan");
        await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        await ana.TalkAsync(session.SessionId, "t1", "I need a plan.");
        Assert.Single(harness.TextRequests);

        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => ana.SendTurnAsync(session.SessionId, "t2", "Another one."));
        Assert.Contains("rate_limited", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_final_turn_id_stays_idempotent()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings());
        harness.CoachReply = _ => FakeResponse.Reply(Reply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(100) };
        await using var ana = await harness.ConnectAsync("repeat@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "can we talk about sleep");
        await harness.Llm.WaitForRequestAsync(1, ConversationHarness.Timeout);
        await ana.SendTurnAsync(session.SessionId, "t1", "Can we talk about sleep?");
        var joined = await ana.SendTurnAsync(session.SessionId, "t1", "Can we talk about sleep?");
        Assert.Equal("streaming", joined.State);
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault(c => c.TurnId == "t1"));

        var again = await ana.SendTurnAsync(session.SessionId, "t1", "Can we talk about sleep?");
        Assert.Equal("completed", again.State);
        Assert.Equal(completed.Content, again.Reply!.Content);
        Assert.Equal(Reply, completed.Content);
        Assert.Single(harness.TextRequests);
        var rows = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Messages.CountAsync());
        Assert.Equal(2, rows);
    }

    [Fact]
    public async Task Wasted_speculative_tokens_are_counted_in_the_reply_and_the_session_metrics()
    {
        await using var harness = await ConversationHarness.StartAsync(Settings(), captureLogs: true);
        const string speculated = "Tell me more about the team.";
        harness.CoachReply = r => LastUserMessage(r) == "my team"
            ? FakeResponse.Reply(speculated) with { PromptTokens = 40, CompletionTokens = 7 }
            : FakeResponse.Reply(Reply);
        await using var ana = await harness.ConnectAsync("waste@example.com");
        var session = await ana.StartSessionAsync("spoken_presence");

        await PartialAsync(ana, session.SessionId, "my team");
        await WaitForLogAsync(harness, "model stream ended: complete");
        var completed = await ana.TalkAsync(session.SessionId, "t1", "My team ignored my proposal");

        Assert.Equal(Reply, completed.Content);
        Assert.Equal(2, harness.TextRequests.Count);
        Assert.Equal(40, completed.WastedInputTokens);
        Assert.Equal(7, completed.WastedOutputTokens);
        // Apart from the reply's own figures: the fresh reply and the safety screen, 12 prompt tokens each.
        Assert.Equal(24, completed.InputTokens);

        var summary = await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);
        Assert.Equal(40m, summary.Metrics["wasted_input_tokens"]);
        Assert.Equal(7m, summary.Metrics["wasted_output_tokens"]);
    }
}
