using CoachService.Conversations;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Reliability;

/// <summary>
/// Hostile answers to the tasks that end a session (the summary with its virtue and insights, and the goal
/// suggestions), through a whole session on the real host and the fake LLM: each is refused after the one
/// repair with an error that names the task and quotes nothing, nothing of it is stored, the session stays
/// open as PROTOCOL.md says (EndSession answers <c>unavailable</c>, the user's messages are intact), and
/// EndSession once the model answers well ends it.
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class HostileSessionEndingTests
{
    private const string TenMegabytes = "a 10 MB string";

    /// <summary>Text of the hostile answers that no log line, stored row or event may hold.</summary>
    private static readonly string[] Tells = ["<script", "someone-else", "ignore the schema", "I'm sorry", "\u0301\u0301\u0301", "\0"];

    private static readonly string Marks = string.Concat(Enumerable.Repeat("\\u0301", 3000));

    private static readonly string Huge = new('a', 10 * 1024 * 1024);

    private static readonly string ValidSummary =
        """{"virtue":{"name":"courage","description":"You named what was hard."},"key_insights":[{"insight":"Saying no protects the mornings.","category":"work_life_balance","importance":4}]}""";

    private static readonly string ValidSuggestions =
        """{"goals":[{"category":"health","description":"Walk before work","smart_goal":"Walk 20 minutes before work on 4 days a week for 2 weeks","timeframe":"2 weeks","priority":3}]}""";

    /// <summary>Each hostile kind as the summary's answer and the goal suggestions' answer.</summary>
    public static TheoryData<string, string, string> Hostile => new()
    {
        {
            "extra fields",
            """{"virtue":{"name":"courage","description":"You named it.","user_id":"someone-else"},"key_insights":[{"insight":"Mornings matter.","category":"work_life_balance","importance":4}],"system":"ignore the schema"}""",
            """{"goals":[{"category":"health","description":"Walk","smart_goal":"Walk daily for 2 weeks","timeframe":"2 weeks","priority":3,"user_id":"someone-else"}],"system":"ignore the schema"}"""
        },
        {
            "wrong types",
            """{"virtue":"courage","key_insights":[{"insight":42,"category":"work_life_balance","importance":"high"}]}""",
            """{"goals":{"category":"health","description":true,"smart_goal":["walk"],"timeframe":14,"priority":"3"}}"""
        },
        {
            TenMegabytes,
            """{"virtue":{"name":"courage","description":"HUGE"},"key_insights":[{"insight":"Mornings matter.","category":"work_life_balance","importance":4}]}""",
            """{"goals":[{"category":"health","description":"HUGE","smart_goal":"Walk daily for 2 weeks","timeframe":"2 weeks","priority":3}]}"""
        },
        {
            "script",
            """{"virtue":{"name":"<script>alert(1)</script>","description":"You named it."},"key_insights":[{"insight":"<script>fetch('/api/me')</script>","category":"work_life_balance","importance":4}]}""",
            """{"goals":[{"category":"health","description":"<script>alert(1)</script>","smart_goal":"Walk daily for 2 weeks","timeframe":"2 weeks","priority":3}]}"""
        },
        {
            "a refusal",
            "I'm sorry, but I can't help with that request.",
            "I'm sorry, but I can't help with that request."
        },
        {
            "invalid JSON",
            """{"virtue":{"name":"courage","description":"You named it."},"key_insights":[{"insight":"Mornings""",
            """{"goals":[{"category":"health",,"""
        },
        {
            // One letter to the eye, 3,000 code points: the virtues table holds 40 (length(name) BETWEEN 1 AND 40).
            "one letter with 3000 combining marks",
            """{"virtue":{"name":"a""" + Marks + "\",\"description\":\"You named it.\"},\"key_insights\":[{\"insight\":\"Mornings matter.\",\"category\":\"work_life_balance\",\"importance\":4}]}",
            """{"goals":[{"category":"health","description":"Walk","smart_goal":"Walk daily","timeframe":"2""" + Marks + "\",\"priority\":3}]}"
        },
        {
            "a NUL character",
            """{"virtue":{"name":"\u0000courage","description":"You named it."},"key_insights":[{"insight":"Mornings matter.","category":"work_life_balance","importance":4}]}""",
            """{"goals":[{"category":"health","description":"Walk\u0000","smart_goal":"Walk daily","timeframe":"2 weeks","priority":3}]}"""
        },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_session_end_answers_are_refused_store_nothing_and_leave_the_session_open_to_end_again(string what, string summary, string suggestions)
    {
        summary = what == TenMegabytes ? summary.Replace("HUGE", Huge, StringComparison.Ordinal) : summary;
        suggestions = what == TenMegabytes ? suggestions.Replace("HUGE", Huge, StringComparison.Ordinal) : suggestions;
        await using var harness = await ConversationHarness.StartAsync(captureLogs: true);
        var healed = false;
        harness.Llm.Handler = request => (ConversationHarness.TaskOf(request), healed) switch
        {
            ("session_summary", false) => new FakeResponse { Text = summary },
            ("goal_suggestions", false) => new FakeResponse { Text = suggestions },
            _ => ConversationHarness.Answer(request, harness.CoachReply),
        };
        await using var ana = await harness.ConnectAsync("ana.ending@example.com", "Ana");
        var session = await ana.StartSessionAsync();
        var reply = await ana.TalkAsync(session.SessionId, "turn-1", "I keep saying yes to everything at work.");
        var before = await StoredAsync(harness, ana.UserId);

        var refused = await Assert.ThrowsAsync<HubException>(() => ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId));

        // What PROTOCOL.md promises: unavailable, naming each part and how it failed, and what to do.
        Assert.Contains(
            "HubException: unavailable: the session could not be ended (the session summary: the model's answer was invalid; "
            + "the goal suggestions: the model's answer was invalid); what worked is kept; call EndSession again to make the rest",
            refused.Message, StringComparison.Ordinal);
        // The answer and its one repair; an answer longer than any valid one is refused without a repair (not billed twice).
        var requests = what == TenMegabytes ? 1 : 2;
        Assert.Equal(requests, harness.RequestsFor("session_summary").Count);
        Assert.Equal(requests, harness.RequestsFor("goal_suggestions").Count);
        var after = await StoredAsync(harness, ana.UserId);
        Assert.Equal(before.Status, after.Status);
        Assert.NotEqual(SessionStatus.Completed, after.Status);
        Assert.Equal((null, null, null, 0, 0), (after.Virtue, after.Insights, after.Suggested, after.Virtues, after.Goals));
        Assert.DoesNotContain(after.Metadata, key => key.StartsWith("prompt_version.", StringComparison.Ordinal) || key.StartsWith("virtue.", StringComparison.Ordinal));
        Assert.Equal(["user:I keep saying yes to everything at work.", "assistant:" + reply.Content], after.Messages);
        // A clear error for the operator per task, never the hostile text.
        var logs = harness.App.Logs!.GetSnapshot();
        var errors = logs.Where(r => r.Level >= LogLevel.Error).Select(r => r.Message).ToList();
        Assert.Contains(errors, m => m.Contains("Output of task session_summary", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("Output of task goal_suggestions", StringComparison.Ordinal));
        Assert.All(logs, r => Assert.True(r.Message.Length < 5_000 && !Tells.Any(t => r.Message.Contains(t, StringComparison.Ordinal)), $"{what}: a log line holds the answer: {r.Message[..Math.Min(200, r.Message.Length)]}"));

        // The model answers well again: EndSession ends the session with what it now says.
        healed = true;
        var ended = await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        Assert.Equal(("completed", "courage"), (ended.Status, ended.Virtue!.Name));
        Assert.Equal("Walk before work", Assert.Single(ended.SuggestedGoals).Goal.Description);
        var final = await StoredAsync(harness, ana.UserId);
        Assert.Equal((SessionStatus.Completed, "courage", 1), (final.Status, final.Virtue, final.Virtues));
        Assert.Equal(after.Messages, final.Messages);
    }

    [Fact]
    public async Task When_only_the_summary_is_hostile_the_suggestions_are_kept_and_ending_again_asks_only_for_the_summary()
    {
        await using var harness = await ConversationHarness.StartAsync(captureLogs: true);
        var healed = false;
        harness.Llm.Handler = request => (ConversationHarness.TaskOf(request), healed) switch
        {
            ("session_summary", false) => new FakeResponse { Text = """{"virtue":{"name":"<script>alert(1)</script>","description":"You named it."},"key_insights":[{"insight":"Mornings.","category":"work_life_balance","importance":4}]}""" },
            ("session_summary", true) => new FakeResponse { Text = ValidSummary },
            ("goal_suggestions", _) => new FakeResponse { Text = ValidSuggestions },
            _ => ConversationHarness.Answer(request, harness.CoachReply),
        };
        await using var ana = await harness.ConnectAsync("ana.half@example.com", "Ana");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "turn-1", "I keep saying yes to everything at work.");

        var refused = await Assert.ThrowsAsync<HubException>(() => ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId));

        Assert.Contains("HubException: unavailable: the session could not be ended (the session summary: the model's answer was invalid); what worked is kept", refused.Message, StringComparison.Ordinal);
        var half = await StoredAsync(harness, ana.UserId);
        Assert.NotEqual(SessionStatus.Completed, half.Status);
        Assert.Equal((null, null, 0), (half.Virtue, half.Insights, half.Virtues));
        Assert.Equal("Walk before work", Assert.Single(half.Suggested!));

        healed = true;
        var ended = await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        Assert.Equal(("completed", "courage"), (ended.Status, ended.Virtue!.Name));
        Assert.Single(harness.RequestsFor("goal_suggestions")); // kept, not asked again
        Assert.Equal(3, harness.RequestsFor("session_summary").Count);
    }

    private sealed record Stored(
        SessionStatus Status, string? Virtue, int? Insights, List<string>? Suggested, int Virtues, int Goals, List<string> Metadata, List<string> Messages);

    private static Task<Stored> StoredAsync(ConversationHarness harness, Guid userId) =>
        harness.App.Services.GetRequiredService<CoachDatabase>().ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.AsNoTracking().SingleAsync();
            var messages = (await db.Messages.AsNoTracking().OrderBy(m => m.SequenceNumber).ToListAsync()).Select(m => m.Role + ":" + m.Content).ToList();
            return new Stored(
                session.Status, session.VirtueEarned, session.KeyInsights?.Count, session.SuggestedGoals?.Select(g => g.Description).ToList(),
                await db.Virtues.CountAsync(), await db.Goals.CountAsync(), [.. session.Metadata.Keys], messages);
        });
}
