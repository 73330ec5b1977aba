using CoachService.Conversations;

namespace CoachService.Tests.Conversations;

public sealed class TurnDatabaseWorkTests
{
    /// <summary>Counted with EF's own command and transaction events; it took 4 transactions and 20 statements before the context was read with the message.</summary>
    [Fact]
    public async Task A_coaching_turn_does_its_database_work_in_few_short_transactions()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Transaction"] = "Debug",
        }, captureLogs: true);
        await using var ana = await harness.ConnectAsync("db-work@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "Hello.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        var before = harness.App.Logs!.Count;

        await ana.TalkAsync(session.SessionId, "t2", "Work has been a lot this week.");
        await CoachClient.WaitForAsync(() => ana.Emotions.Skip(1).FirstOrDefault());

        var entries = harness.App.Logs.GetSnapshot().Skip(before).ToList();
        var commands = entries.Count(e => e.Id.Name == "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted");
        var transactions = entries.Count(e => e.Id.Name == "Microsoft.EntityFrameworkCore.Database.Transaction.TransactionStarted");
        // One transaction stores the message and reads the context, one stores the reply, one the emotions.
        Assert.Equal(3, transactions);
        // 17 on one instance; scale-out added three, all inside those transactions: the turn's claim, the
        // shared rate-limit bucket (both with the message) and the claim's release (with the reply).
        Assert.True(commands <= 20, $"{commands} statements for one turn");
    }
}
