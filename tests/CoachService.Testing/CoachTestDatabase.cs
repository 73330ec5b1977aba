using CoachService.Persistence;
using CoachService.Privacy.Encryption;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CoachService.Testing;

/// <summary>
/// A fresh, migrated database in the shared test cluster, with the domain services wired to it as
/// the service wires them (app role, unit of work), and its own key ring in a temporary folder: every
/// host started on this database is given the same one, as instances of the service share theirs.
/// One per test class or test, so tests run in parallel.
/// </summary>
public sealed class CoachTestDatabase : IAsyncDisposable
{
    // Migrations and the service login are cluster-wide roles; running them one at a time keeps that free of races.
    private static readonly SemaphoreSlim MigrationGate = new(1, 1);

    private readonly ServiceProvider services;
    private readonly TemporaryFolder keyRing;

    private CoachTestDatabase(CoachConnectionStrings connections, ServiceProvider services, TemporaryFolder keyRing)
    {
        Connections = connections;
        this.services = services;
        this.keyRing = keyRing;
    }

    public CoachConnectionStrings Connections { get; }

    /// <summary>The key ring's folder (setting <c>DataProtection:KeyRingPath</c>); the user keys are under <c>users</c>.</summary>
    public string KeyRingPath => keyRing.Path;

    /// <summary>This database's key ring, for services registered with <c>AddCoachPersistence</c> outside this class.</summary>
    public EncryptionOptions Encryption => new() { KeyRingPath = KeyRingPath };

    public IServiceProvider Services => services;

    public static async Task<CoachTestDatabase> CreateAsync(TimeProvider? time = null, bool migrate = true)
    {
        var cluster = await PostgresTestCluster.GetAsync();
        var owner = await cluster.CreateDatabaseAsync("coach");
        // The service's own login, as the service makes it on its embedded server.
        var connections = CoachConnectionStrings.Create(
            owner, CoachConnectionStrings.AsLogin(owner, ServiceLogin.EmbeddedName, cluster.ServiceLoginPassword));
        var keyRing = new TemporaryFolder();
        var collection = new ServiceCollection();
        collection.AddSingleton(time ?? TimeProvider.System);
        collection.AddLogging();
        collection.AddCoachPersistence(connections, new EncryptionOptions { KeyRingPath = keyRing.Path });
        collection.AddCoachDomain();
        var provider = collection.BuildServiceProvider();
        // Makes the ring's first key now, before any host starts on this database: hosts started at
        // the same moment on an empty ring would each make one.
        provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("CoachTestDatabase").Protect([1]);
        var database = new CoachTestDatabase(connections, provider, keyRing);
        if (migrate)
        {
            await database.MigrateAsync();
        }

        return database;
    }

    /// <summary>
    /// Applies the migrations, as the service does at start-up, up to <paramref name="targetMigration"/>
    /// (a database as an older version of the service left it) or all of them; and makes the service login.
    /// </summary>
    public async Task MigrateAsync(string? targetMigration = null)
    {
        var cluster = await PostgresTestCluster.GetAsync();
        await MigrationGate.WaitAsync();
        try
        {
            if (targetMigration is null)
            {
                await new DatabaseMigrator(Connections, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
            }
            else
            {
                await using var db = new CoachDbContext(new DbContextOptionsBuilder<CoachDbContext>().UseNpgsql(Connections.Owner).Options);
                await db.GetService<IMigrator>().MigrateAsync(targetMigration);
            }

            await ServiceLogin.EnsureAsync(Connections.Owner, ServiceLogin.EmbeddedName, cluster.ServiceLoginPassword);
        }
        finally
        {
            MigrationGate.Release();
        }
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

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        keyRing.Dispose();
    }
}
