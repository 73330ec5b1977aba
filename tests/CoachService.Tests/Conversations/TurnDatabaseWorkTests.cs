using CoachService.Conversations;

namespace CoachService.Tests.Conversations;

public sealed class TurnDatabaseWorkTests
{
    /// <summary>
    /// Counted with EF's own command and transaction events; it took 4 transactions and 20 statements before the
    /// context was read with the message, and 20 statements plus a savepoint and its release around each SaveChanges
    /// (six round trips a turn) before the reads were merged and the savepoints turned off, and 14 before the claim and
    /// the rate-limit permit became one statement, and 13 before each unit's user was set in its first command's round
    /// trip rather than by a set_config of its own, and 10 before the user's side of the context was read in the
    /// statement that finds the turn, and 9 before the history was read in the claim's statement (issue 10).
    /// </summary>
    [Fact]
    public async Task A_coaching_turn_does_its_database_work_in_few_short_transactions()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Transaction"] = "Debug",
            ["Logging:LogLevel:CoachService.Persistence.UserScopeInterceptor"] = "Debug",
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
        var savepoints = entries.Count(e => e.Id.Name == "Microsoft.EntityFrameworkCore.Database.Transaction.CreatedTransactionSavepoint");
        // One transaction stores the message and reads the context, one stores the reply, one the emotions.
        Assert.Equal(3, transactions);
        // The message's unit: the session with the turn id's earlier messages, the last sequence number and the
        // user's side of the context in one statement, the claim with the shared rate-limit bucket's permit and the history
        // in one, the insert; the reply's: the claim's release, the sequence, the insert; the emotions': a check, the insert.
        // Each unit's user rides in its first command: no unit needs a statement of its own for it.
        Assert.True(commands <= 8, $"{commands} statements for one turn");
        Assert.Equal(0, savepoints);
        Assert.Equal(0, entries.Count(e => e.Id.Name == "UserEnteredSeparately"));
    }
}
