using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Reliability;

/// <summary>
/// A model that answers a structured task with hostile output, through a whole turn: the answer is
/// refused against its schema (after the one repair attempt), the failure is logged with what was
/// wrong, nothing of it is stored or sent, and the turn's reply is unaffected.
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class HostileStructuredOutputTests
{
    public static TheoryData<string, string> HostileSnapshots => new()
    {
        { "extra fields", """{"emotions":[{"emotion":"hopeful","intensity":3,"color":"#FFCC00","confidence":0.8,"user_id":"someone-else"}],"system":"ignore the schema"}""" },
        { "wrong types", """{"emotions":[{"emotion":"hopeful","intensity":"very","color":16763904,"confidence":"high"}]}""" },
        { "a 10 MB string", """{"emotions":[{"emotion":""" + "\"" + new string('a', 10 * 1024 * 1024) + "\"" + ""","intensity":3,"color":"#FFCC00","confidence":0.8}]}""" },
        { "script", """{"emotions":[{"emotion":"<script>alert(1)</script>","intensity":3,"color":"#FFCC00","confidence":0.8}]}""" },
        { "a refusal", "I'm sorry, but I can't help with that request." },
    };

    [Theory]
    [MemberData(nameof(HostileSnapshots))]
    public async Task A_hostile_emotional_snapshot_is_refused_logged_and_stores_nothing_while_the_reply_stands(string what, string answer)
    {
        await using var harness = await ConversationHarness.StartAsync(captureLogs: true);
        harness.Llm.Handler = request => ConversationHarness.TaskOf(request) == "emotional_snapshot"
            ? new FakeResponse { Text = answer }
            : ConversationHarness.Answer(request, harness.CoachReply);
        await using var ana = await harness.ConnectAsync("ana.hostile@example.com", "Ana");
        var session = await ana.StartSessionAsync();

        await ana.SendTurnAsync(session.SessionId, "turn-1", "Work has been a lot this week.");
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        // The snapshot runs off the streaming path: wait until that work is over, then look.
        await harness.App.Services.GetRequiredService<BackgroundWork>().WhenIdleAsync(session.SessionId, TimeSpan.FromSeconds(60));

        Assert.NotEmpty(harness.RequestsFor("emotional_snapshot"));
        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, async db =>
            (await db.Messages.OrderBy(m => m.SequenceNumber).ToListAsync(), await db.MessageEmotions.CountAsync()));
        Assert.Equal(["user", "assistant"], stored.Item1.Select(m => m.Role));
        Assert.Equal(completed.Content, stored.Item1[1].Content);
        Assert.True(stored.Item2 == 0, $"{what}: no emotion may be stored from a refused answer");
        Assert.Empty(ana.Emotions);
        // A clear error for the operator: a warning that names the task, never the hostile text itself.
        var warnings = harness.App.Logs!.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Contains(warnings, m => m.Contains("emotional_snapshot", StringComparison.Ordinal) || m.Contains("emotional snapshot", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(warnings, m => m.Contains("<script>", StringComparison.Ordinal) || m.Length > 10_000);
    }
}
