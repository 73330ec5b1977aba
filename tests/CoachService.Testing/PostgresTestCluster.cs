using System.Text;
using CoachService.Persistence.Embedded;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CoachService.Testing;

/// <summary>
/// One throwaway PostgreSQL cluster per test run, started on first use with the service's own
/// launcher and removed when the test process exits. Tests isolate themselves with
/// <see cref="CreateDatabaseAsync"/>, so they can run in parallel.
/// </summary>
public sealed class PostgresTestCluster
{
    private static readonly Lazy<Task<PostgresTestCluster>> Shared = new(StartAsync);

    private readonly EmbeddedPostgres server;

    private PostgresTestCluster(EmbeddedPostgres server)
    {
        this.server = server;
    }

    /// <summary>Superuser connection to the cluster's <c>postgres</c> database.</summary>
    public string AdminConnectionString => server.ConnectionString;

    /// <summary>The password of the cluster-wide service login (<see cref="CoachService.Persistence.ServiceLogin"/>), as the service keeps it.</summary>
    public string ServiceLoginPassword => server.ServiceLoginPassword;

    /// <summary>The postmaster's process id, for benchmarks that measure the database's CPU.</summary>
    public int ServerProcessId => server.ServerProcessId;

    /// <summary>The shared cluster, started by the first caller; a failed start fails every caller with the same message.</summary>
    public static Task<PostgresTestCluster> GetAsync() => Shared.Value;

    /// <summary>Creates an empty database with a unique name and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string? namePrefix = null, CancellationToken ct = default)
    {
        // At most 30 + 1 + 32 = 63 characters, PostgreSQL's limit for a name.
        var name = $"{Sanitize(namePrefix ?? "test")}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<PostgresTestCluster> StartAsync()
    {
        var folder = new TemporaryFolder();
        var options = new EmbeddedPostgresOptions
        {
            DataDirectory = folder.Combine("postgres"),
            Database = "postgres",
            StartTimeout = TimeSpan.FromSeconds(60),
            // Many hosts and databases at once, each with its own pools: well above PostgreSQL's default 100.
            MaxConnections = 600,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        EmbeddedPostgres server;
        try
        {
            server = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, timeout.Token);
        }
        catch
        {
            folder.Dispose();
            throw;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            ImmediateShutdown.Stop(server.ServerProcessId);
            folder.DisposeInBackground();
        };
        return new PostgresTestCluster(server);
    }

    // Lower-case letters, digits and underscores, at most 30 characters, so the name needs no quoting.
    private static string Sanitize(string prefix)
    {
        var name = new StringBuilder();
        foreach (var c in prefix.ToLowerInvariant())
        {
            name.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '_');
        }

        var result = name.Length == 0 || char.IsDigit(name[0]) ? "t" + name : name.ToString();
        return result.Length > 30 ? result[..30] : result;
    }
}
