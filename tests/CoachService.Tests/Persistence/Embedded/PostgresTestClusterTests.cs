using CoachService.Testing;
using Npgsql;

namespace CoachService.Tests.Persistence.Embedded;

public sealed class PostgresTestClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Each_created_database_is_separate_and_empty()
    {
        var cluster = await PostgresTestCluster.GetAsync().WaitAsync(Timeout);

        var first = await cluster.CreateDatabaseAsync("Isolation Test").WaitAsync(Timeout);
        var second = await cluster.CreateDatabaseAsync("Isolation Test").WaitAsync(Timeout);
        await ScalarAsync(first, "CREATE TABLE only_in_first (id int)");

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);
        Assert.StartsWith("isolation_test_", new NpgsqlConnectionStringBuilder(first).Database);
        Assert.Equal(0L, await ScalarAsync(second, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'"));
        Assert.Equal(1L, await ScalarAsync(first, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'"));
    }

    [Fact]
    public async Task Every_caller_gets_the_same_cluster()
    {
        var callers = await Task.WhenAll(PostgresTestCluster.GetAsync(), PostgresTestCluster.GetAsync()).WaitAsync(Timeout);

        Assert.Same(callers[0], callers[1]);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().WaitAsync(Timeout);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync().WaitAsync(Timeout);
    }
}
