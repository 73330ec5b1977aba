using CoachService.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CoachService.Testing;

/// <summary>
/// A fresh, migrated database in the shared test cluster, with the domain services wired to it as
/// the service wires them (app role, unit of work). One per test class or test, so tests run in parallel.
/// </summary>
public sealed class CoachTestDatabase : IAsyncDisposable
{
    // Migrations and the service login are cluster-wide roles; running them one at a time keeps that free of races.
    private static readonly SemaphoreSlim MigrationGate = new(1, 1);

    private readonly ServiceProvider services;

    private CoachTestDatabase(CoachConnectionStrings connections, ServiceProvider services)
    {
        Connections = connections;
        this.services = services;
    }

    public CoachConnectionStrings Connections { get; }

    public IServiceProvider Services => services;

    public static async Task<CoachTestDatabase> CreateAsync(TimeProvider? time = null, bool migrate = true)
    {
        var cluster = await PostgresTestCluster.GetAsync();
        var owner = await cluster.CreateDatabaseAsync("coach");
        // The service's own login, as the service makes it on its embedded server.
        var connections = CoachConnectionStrings.Create(
            owner, CoachConnectionStrings.AsLogin(owner, ServiceLogin.EmbeddedName, cluster.ServiceLoginPassword));
        var collection = new ServiceCollection();
        collection.AddSingleton(time ?? TimeProvider.System);
        collection.AddLogging();
        collection.AddCoachPersistence(connections);
        collection.AddCoachDomain();
        var provider = collection.BuildServiceProvider();
        if (migrate)
        {
            await MigrationGate.WaitAsync();
            try
            {
                await new DatabaseMigrator(connections, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
                await ServiceLogin.EnsureAsync(connections.Owner, ServiceLogin.EmbeddedName, cluster.ServiceLoginPassword);
            }
            finally
            {
                MigrationGate.Release();
            }
        }

        return new CoachTestDatabase(connections, provider);
    }

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    /// <summary>A connection as the owner login (bypasses nothing: FORCE RLS applies, but superusers bypass).</summary>
    public async Task<NpgsqlConnection> OpenOwnerAsync()
    {
        var connection = new NpgsqlConnection(Connections.Owner);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A connection as the service opens them: its own login, switched to the app role.</summary>
    public async Task<NpgsqlConnection> OpenAppAsync(string? connectionString = null)
    {
        var connection = new NpgsqlConnection(connectionString ?? Connections.App);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<long> CountAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
