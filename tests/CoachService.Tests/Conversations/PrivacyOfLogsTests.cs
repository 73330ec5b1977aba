using CoachService.Conversations;

namespace CoachService.Tests.Conversations;

public sealed class PrivacyOfLogsTests
{
    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task No_message_text_reaches_the_logs_at_debug_level_through_a_whole_session()
    {
        const string Secret = "my brother's diagnosis";
        await using var harness = await ConversationHarness.StartAsync(captureLogs: true);
        harness.CoachReply = _ => Testing.FakeResponse.Reply("That is a heavy thing to carry about the diagnosis. Who else knows?");
        await using var ana = await harness.ConnectAsync("logs@example.com");
        var session = await ana.StartSessionAsync();

        await ana.TalkAsync(session.SessionId, "t1", $"I can't stop thinking about {Secret}.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        var logs = harness.App.Logs!.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.DoesNotContain(logs, e => e.Message.Contains(Secret, StringComparison.OrdinalIgnoreCase)
            || (e.Exception?.ToString().Contains(Secret, StringComparison.OrdinalIgnoreCase) ?? false));
        Assert.DoesNotContain(logs, e => e.Message.Contains("heavy thing to carry", StringComparison.Ordinal));
    }
}
