using CoachService.Goals;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CoachService.Tests.Persistence;

/// <summary>
/// The database-side user of a unit of work rides in the round trip of the unit's first command
/// (<see cref="UserScopeInterceptor"/>), and is set, by a statement of its own, before a first command
/// that cannot carry it.
/// </summary>
public sealed class UserScopeTests
{
    private sealed record Units(CoachDatabase Database, FakeLogCollector Logs, Guid A, Guid B, CoachTestDatabase Test) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Test.DisposeAsync();

        /// <summary>The EF commands sent since <paramref name="from"/>, and how many times the user was set on its own.</summary>
        public (IReadOnlyList<string> Commands, int Separate) Since(int from)
        {
            var entries = Logs.GetSnapshot().Skip(from).ToList();
            return (
                entries.Where(e => e.Id.Name == "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted").Select(e => e.Message).ToList(),
                entries.Count(e => e.Id.Name == "UserEnteredSeparately"));
        }
    }

    private static async Task<Units> StartAsync()
    {
        var test = await CoachTestDatabase.CreateAsync();
        await using (var owner = await test.OpenOwnerAsync())
        {
            var a = await UserRows.SeedAsync(owner, "scope-a@example.com");
            var b = await UserRows.SeedAsync(owner, "scope-b@example.com");
            var logs = new FakeLogCollector();
            var services = new ServiceCollection()
                .AddSingleton(TimeProvider.System)
                .AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)))
                .AddCoachPersistence(test.Connections, test.Encryption)
                .BuildServiceProvider();
            return new Units(services.GetRequiredService<CoachDatabase>(), logs, a, b, test);
        }
    }

    [Fact]
    public async Task A_units_first_query_sets_its_user_in_the_same_command_and_sees_only_that_users_rows()
    {
        await using var units = await StartAsync();
        var from = units.Logs.Count;

        var (setting, goals) = await units.Database.ForUserAsync(units.A, async db =>
        {
            var setting = await db.Database.SqlQuery<string>($"SELECT current_setting('app.user_id') AS \"Value\"").SingleAsync();
            // A later command of the unit keeps the setting (it is the transaction's) and RLS reads it.
            var goals = await db.Goals.IgnoreQueryFilters().Select(g => g.UserId).ToListAsync();
            return (setting, goals);
        });

        Assert.Equal(units.A.ToString(), setting);
        Assert.Equal([units.A], goals);
        var (commands, separate) = units.Since(from);
        Assert.Equal(2, commands.Count);
        // EF logs the text it built and the parameters sent: the first command carried the user.
        Assert.Contains($"@{UserScopeInterceptor.Procedure}='", commands[0]);
        Assert.DoesNotContain(UserScopeInterceptor.Procedure, commands[1]);
        Assert.Equal(0, separate);
    }

    [Fact]
    public async Task A_units_first_delete_carries_the_user_and_still_counts_only_its_own_rows()
    {
        await using var units = await StartAsync();
        var from = units.Logs.Count;

        var deleted = await units.Database.ForUserAsync(units.B, db => db.UserSettings.IgnoreQueryFilters().ExecuteDeleteAsync());

        Assert.Equal(1, deleted); // B's one setting; A's is not B's to see, let alone delete
        await using var owner = await units.Test.OpenOwnerAsync();
        Assert.Equal(1, await units.Test.CountAsync(owner, "SELECT count(*) FROM user_settings WHERE user_id = @a", ("a", units.A)));
        var (commands, separate) = units.Since(from);
        Assert.Single(commands);
        Assert.Equal(0, separate);
    }

    [Fact]
    public async Task A_first_command_with_positional_parameters_gets_the_user_set_just_before_it()
    {
        await using var units = await StartAsync();
        var from = units.Logs.Count;
        var suffix = "!";

        // An interpolated raw query sends positional parameters ($1): Npgsql cannot split it into two statements.
        var setting = await units.Database.ForUserAsync(units.A, db =>
            db.Database.SqlQuery<string>($"SELECT current_setting('app.user_id') || {suffix} AS \"Value\"").SingleAsync());

        Assert.Equal(units.A + "!", setting);
        var (commands, separate) = units.Since(from);
        Assert.DoesNotContain(UserScopeInterceptor.Procedure, Assert.Single(commands));
        Assert.Equal(1, separate);
    }

    [Fact]
    public async Task A_unit_that_only_saves_gets_the_user_set_before_the_batch_and_the_rows_pass_row_security()
    {
        await using var units = await StartAsync();
        var from = units.Logs.Count;

        await units.Database.ForUserAsync(units.B, db =>
        {
            db.Goals.Add(new Goal { UserId = units.B, GoalText = "Stretch after lunch" });
            db.Goals.Add(new Goal { UserId = units.B, GoalText = "Call my sister on Sundays" });
            return Task.CompletedTask;
        });

        await using var owner = await units.Test.OpenOwnerAsync();
        Assert.Equal(3, await units.Test.CountAsync(owner, "SELECT count(*) FROM goals WHERE user_id = @b", ("b", units.B)));
        var (commands, separate) = units.Since(from);
        Assert.DoesNotContain(commands, c => c.Contains(UserScopeInterceptor.Procedure));
        Assert.Equal(1, separate);

        // A row for somebody else is still refused: the setting names B, and the policy checks it.
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => units.Database.ForUserAsync(units.B, db =>
        {
            db.Goals.Add(new Goal { UserId = units.A, GoalText = "Not mine to add" });
            return Task.CompletedTask;
        }));
    }

    [Fact]
    public async Task Consecutive_units_on_pooled_contexts_each_set_their_own_user()
    {
        await using var units = await StartAsync();

        for (var i = 0; i < 6; i++)
        {
            var user = i % 2 == 0 ? units.A : units.B;
            var seen = await units.Database.ForUserAsync(user, db => db.Goals.IgnoreQueryFilters().Select(g => g.UserId).Distinct().ToListAsync());
            Assert.Equal([user], seen);
        }

        // A unit that sends nothing leaves no mark for the next one, whoever it is for.
        await units.Database.ForUserAsync(units.A, _ => Task.CompletedTask);
        Assert.Equal([units.B], await units.Database.ForUserAsync(units.B, db => db.Goals.IgnoreQueryFilters().Select(g => g.UserId).Distinct().ToListAsync()));
    }
}
