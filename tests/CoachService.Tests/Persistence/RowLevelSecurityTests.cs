using CoachService.Goals;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CoachService.Tests.Persistence;

public sealed class RowLevelSecurityTests
{
    private static readonly Lazy<Task<(CoachTestDatabase Database, Guid A, Guid B)>> Fixture = new(async () =>
    {
        var database = await CoachTestDatabase.CreateAsync();
        await using var owner = await database.OpenOwnerAsync();
        var a = await UserRows.SeedAsync(owner, "rls-a@example.com");
        var b = await UserRows.SeedAsync(owner, "rls-b@example.com");
        return (database, a, b);
    });

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task The_service_works_as_a_role_that_owns_nothing_and_cannot_bypass_row_security()
    {
        var (database, _, _) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        await using var connection = await database.OpenAppAsync();
        await using var command = new NpgsqlCommand("""
            SELECT current_user, r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user),
                   (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                        AND c.relname <> '__EFMigrationsHistory' AND c.relname <> 'achievements'
                        AND NOT (c.relrowsecurity AND c.relforcerowsecurity))
            FROM pg_roles r WHERE r.rolname = current_user
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("coach_app", reader.GetString(0));
        Assert.False(reader.GetBoolean(1));
        Assert.False(reader.GetBoolean(2));
        Assert.Equal(0, reader.GetInt64(3));
        Assert.Equal(0, reader.GetInt64(4)); // every user-owned table has RLS enabled and forced
    }

    [Trait("Suite", "Reliability")]
    [Theory]
    [InlineData("SET ROLE NONE")]
    [InlineData("RESET ROLE")]
    [InlineData("SET ROLE coach_admin")]
    public async Task Leaving_the_app_role_on_the_services_connection_shows_no_other_users_rows(string leave)
    {
        var (database, a, b) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        await using var connection = await database.OpenAppAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.user_id', @a::text, true)", connection, transaction))
        {
            set.Parameters.AddWithValue("a", a);
            await set.ExecuteNonQueryAsync();
        }

        try
        {
            await using var command = new NpgsqlCommand(leave, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException refused) when (refused.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // Refused outright: the connection stays what it was.
            return;
        }

        await using (var roles = new NpgsqlCommand(
            "SELECT bool_or(rolsuper), bool_or(rolbypassrls) FROM pg_roles WHERE rolname IN (current_user, session_user)", connection, transaction))
        await using (var reader = await roles.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.False(reader.GetBoolean(0));
            Assert.False(reader.GetBoolean(1));
        }

        Assert.Equal(0, await database.CountAsync(connection, "SELECT count(*) FROM messages WHERE user_id <> @a", ("a", a)));
        Assert.Equal(0, await database.CountAsync(connection, "SELECT count(*) FROM users WHERE id = @b", ("b", b)));
    }

    [Theory]
    [MemberData(nameof(UserTables))]
    public async Task Without_a_user_setting_no_rows_are_visible(string table, string userColumn)
    {
        var (database, a, _) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        await using var connection = await database.OpenAppAsync();
        Assert.Equal(0, await database.CountAsync(connection, $"SELECT count(*) FROM {table}"));

        // An empty setting (what a committed transaction-local setting reads back as) is no one too.
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.user_id', '', true)", connection, transaction))
        {
            await set.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await database.CountAsync(connection, $"SELECT count(*) FROM {table}"));
        Assert.Equal(0, await database.CountAsync(connection, $"WITH d AS (DELETE FROM {table} WHERE {userColumn} = @a RETURNING 1) SELECT count(*) FROM d", ("a", a)));
    }

    [Trait("Suite", "Reliability")]
    [Theory]
    [MemberData(nameof(UserTables))]
    public async Task A_users_context_can_neither_read_nor_change_another_users_rows(string table, string userColumn)
    {
        var (database, a, b) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        await using var connection = await database.OpenAppAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.user_id', @a::text, true)", connection, transaction))
        {
            set.Parameters.AddWithValue("a", a);
            await set.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await database.CountAsync(connection, $"SELECT count(*) FROM {table}"));
        Assert.Equal(0, await database.CountAsync(connection, $"SELECT count(*) FROM {table} WHERE {userColumn} = @b", ("b", b)));
        Assert.Equal(0, await database.CountAsync(connection,
            $"WITH u AS (UPDATE {table} SET {userColumn} = {userColumn} WHERE {userColumn} = @b RETURNING 1) SELECT count(*) FROM u", ("b", b)));
        Assert.Equal(0, await database.CountAsync(connection,
            $"WITH d AS (DELETE FROM {table} WHERE {userColumn} = @b RETURNING 1) SELECT count(*) FROM d", ("b", b)));
        await transaction.RollbackAsync();

        await using var owner = await database.OpenOwnerAsync();
        Assert.Equal(1, await database.CountAsync(owner, $"SELECT count(*) FROM {table} WHERE {userColumn} = @b", ("b", b)));
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_users_context_cannot_write_a_row_in_another_users_name()
    {
        var (database, a, b) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        var error = await Assert.ThrowsAsync<DataAccessDeniedException>(() => database.Get<CoachDatabase>().ForUserAsync(a, db =>
        {
            db.Goals.Add(new Goal { UserId = b, GoalText = "Planted in someone else's list" });
            return Task.CompletedTask;
        }));
        Assert.Contains("goals", error.Message);

        // Moving one's own row to another user is refused too.
        await Assert.ThrowsAsync<DataAccessDeniedException>(() => database.Get<CoachDatabase>().ForUserAsync(a, async db =>
        {
            var goal = await db.Goals.FirstAsync();
            goal.UserId = b;
        }));
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Row_security_alone_hides_other_users_rows_from_a_context_without_filters()
    {
        var (database, a, b) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        var seen = await database.Get<CoachDatabase>().ForUserAsync(a, async db =>
            await db.Goals.IgnoreQueryFilters().Select(g => g.UserId).Distinct().ToListAsync());
        Assert.Equal([a], seen);
        Assert.DoesNotContain(b, seen);
    }

    [Fact]
    public async Task The_context_filter_alone_hides_other_users_rows_where_row_security_does_not_apply()
    {
        var (database, a, b) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        // The owner login of the test cluster is a superuser: row security does not apply to it.
        await using var db = database.Get<DatabaseMigrator>().CreateOwnerContext();
        db.CurrentUserId = a;

        var everyone = await db.Goals.IgnoreQueryFilters().Select(g => g.UserId).Distinct().ToListAsync();
        var filtered = await db.Goals.Select(g => g.UserId).Distinct().ToListAsync();

        Assert.Contains(b, everyone); // the database hid nothing here
        Assert.Equal([a], filtered);
        db.CurrentUserId = null;
        Assert.Empty(await db.Goals.ToListAsync());
    }

    [Fact]
    public async Task Nothing_leaks_to_the_next_use_of_a_pooled_connection()
    {
        var (database, a, _) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        // One physical connection, so the second open is certainly the same backend.
        var single = new NpgsqlConnectionStringBuilder(database.Connections.App) { MaxPoolSize = 1, ApplicationName = "rls-pool-test" }.ConnectionString;

        int firstBackend;
        await using (var connection = await database.OpenAppAsync(single))
        {
            firstBackend = (int)await database.CountAsync(connection, "SELECT pg_backend_pid()");
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var set = new NpgsqlCommand("SELECT set_config('app.user_id', @a::text, true)", connection, transaction))
            {
                set.Parameters.AddWithValue("a", a);
                await set.ExecuteNonQueryAsync();
            }

            Assert.Equal(1, await database.CountAsync(connection, "SELECT count(*) FROM goals"));
            await transaction.CommitAsync();

            // Even on the same open connection, after the commit the user is gone.
            Assert.Equal(0, await database.CountAsync(connection, "SELECT count(*) FROM goals"));
        }

        await using (var connection = await database.OpenAppAsync(single))
        {
            Assert.Equal(firstBackend, (int)await database.CountAsync(connection, "SELECT pg_backend_pid()"));
            await AssertNobodyAsync(database, connection);
        }

        // A unit of work that fails midway leaves nothing behind either.
        await Assert.ThrowsAsync<InvalidOperationException>(() => database.Get<CoachDatabase>().ForUserAsync(a, async db =>
        {
            await db.Goals.CountAsync();
            throw new InvalidOperationException("boom");
        }));
        await using (var connection = await database.OpenAppAsync())
        {
            Assert.Equal(0, await database.CountAsync(connection, "SELECT count(*) FROM goals"));
        }
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task The_pool_resets_no_session_so_a_units_user_ends_with_its_transaction_committed_or_not()
    {
        var (database, a, _) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        var single = new NpgsqlConnectionStringBuilder(database.Connections.App) { MaxPoolSize = 1, ApplicationName = "rls-no-reset-test" };
        Assert.True(single.NoResetOnClose); // what this test guards: nothing but the transaction's end clears the user
        var pooled = single.ConnectionString;

        int backend;
        await using (var connection = await database.OpenAppAsync(pooled))
        {
            backend = (int)await database.CountAsync(connection, "SELECT pg_backend_pid()");
            await using var transaction = await connection.BeginTransactionAsync();
            await EnterAsync(connection, transaction, a);
            Assert.Equal(1, await database.CountAsync(connection, "SELECT count(*) FROM goals"));
            await transaction.CommitAsync();
        }

        await using (var connection = await database.OpenAppAsync(pooled))
        {
            // A unit that never ends its transaction: the pool rolls it back.
            Assert.Equal(backend, (int)await database.CountAsync(connection, "SELECT pg_backend_pid()"));
            var transaction = await connection.BeginTransactionAsync();
            await EnterAsync(connection, transaction, a);
            Assert.Equal(1, await database.CountAsync(connection, "SELECT count(*) FROM goals"));
        }

        await using (var connection = await database.OpenAppAsync(pooled))
        {
            Assert.Equal(backend, (int)await database.CountAsync(connection, "SELECT pg_backend_pid()"));
            await AssertNobodyAsync(database, connection);
        }
    }

    /// <summary>The connection has no user set, is still the app role, and sees no user's rows.</summary>
    private static async Task AssertNobodyAsync(CoachTestDatabase database, NpgsqlConnection connection)
    {
        await using (var command = new NpgsqlCommand("SELECT coalesce(current_setting('app.user_id', true), '<null>'), current_user", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal("", reader.GetString(0));
            Assert.Equal("coach_app", reader.GetString(1)); // the role comes with the connection (its start-up options)
        }

        Assert.Equal(0, await database.CountAsync(connection, "SELECT count(*) FROM goals"));
    }

    /// <summary>What a unit's first command carries (<see cref="UserScopeInterceptor"/>).</summary>
    private static async Task EnterAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid user)
    {
        await using var enter = new NpgsqlCommand($"CALL {UserScopeInterceptor.Procedure}(@user)", connection, transaction);
        enter.Parameters.AddWithValue("user", user);
        await enter.ExecuteNonQueryAsync();
    }

    public static TheoryData<string, string> UserTables()
    {
        var data = new TheoryData<string, string>();
        foreach (var (table, column) in UserRows.Tables)
        {
            data.Add(table, column);
        }

        return data;
    }
}
