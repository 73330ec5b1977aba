using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CoachService.Persistence.Embedded;
using CoachService.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace CoachService.Tests.Persistence.Embedded;

public sealed class EmbeddedPostgresTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Started_cluster_answers_queries_on_loopback_only()
    {
        var logger = new FakeLogger();
        await using var cluster = await EmbeddedPostgres.StartAsync(Options(), logger, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(1, await ScalarAsync<int>(cluster.ConnectionString, "SELECT 1"));
        Assert.Equal("127.0.0.1", await ScalarAsync<string>(cluster.ConnectionString, "SHOW listen_addresses"));
        Assert.Equal("", await ScalarAsync<string>(cluster.ConnectionString, "SHOW unix_socket_directories"));
        Assert.Equal("coach", await ScalarAsync<string>(cluster.ConnectionString, "SELECT current_database()"));
        Assert.Equal(cluster.Port, new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Port);
        Assert.Contains(logger.Collector.GetSnapshot(), log => log.Message.Contains($"127.0.0.1:{cluster.Port}", StringComparison.Ordinal));
        var password = new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Password!;
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), log => log.Message.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_server_limit_is_configured_and_the_service_pool_is_sized_below_it()
    {
        var options = Options();
        options.MaxConnections = 42;
        await using var cluster = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal("42", await ScalarAsync<string>(cluster.ConnectionString, "SHOW max_connections"));
        var app = CoachService.Persistence.CoachConnectionStrings.AsLogin(cluster.ConnectionString, "coach_service", cluster.ServiceLoginPassword);
        var connections = CoachService.Persistence.CoachConnectionStrings.Create(cluster.ConnectionString, app, options.MaxConnections - EmbeddedPostgresOptions.ReservedConnections);
        Assert.Equal(32, new NpgsqlConnectionStringBuilder(connections.App).MaxPoolSize);
        Assert.Equal(100, new NpgsqlConnectionStringBuilder(CoachService.Persistence.CoachConnectionStrings.Create(cluster.ConnectionString, app).App).MaxPoolSize);
    }

    [Fact]
    public async Task Data_and_password_survive_a_stop_and_start()
    {
        var first = await StartAsync(Options());
        await ScalarAsync<int>(first.ConnectionString, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42); SELECT 0");
        await new EmbeddedPostgresLifetime(first).StopAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.False(ProcessState.IsRunning(first.ServerProcessId));

        await using var second = await StartAsync(Options());

        Assert.Equal(42, await ScalarAsync<int>(second.ConnectionString, "SELECT id FROM kept"));
        Assert.Equal(
            new NpgsqlConnectionStringBuilder(first.ConnectionString).Password,
            new NpgsqlConnectionStringBuilder(second.ConnectionString).Password);
    }

    [Fact]
    public async Task Stale_lock_files_from_a_killed_run_do_not_block_the_start()
    {
        var options = Options();
        await (await StartAsync(options)).StopAsync().WaitAsync(Timeout);
        var lockFile = Path.Combine(folder.Combine("postgres"), "postmaster.pid");

        // A live pid that is not PostgreSQL (the number was reused): PostgreSQL itself refuses
        // to start over such a lock file when the process belongs to the server's account.
        using var unrelated = StartSleeperAsServerAccount();
        try
        {
            // And a pid that has simply exited.
            foreach (var pid in new[] { unrelated.Id, await DeadPidAsync() })
            {
                await File.WriteAllTextAsync(lockFile, $"{pid}\n{folder.Combine("postgres")}\n");

                await using var cluster = await StartAsync(options);

                Assert.Equal(1, await ScalarAsync<int>(cluster.ConnectionString, "SELECT 1"));
            }

            Assert.False(unrelated.HasExited);
        }
        finally
        {
            unrelated.Kill();
        }
    }

    [Fact]
    public async Task Server_left_running_by_an_earlier_run_is_replaced()
    {
        var orphaned = await StartAsync(Options());

        await using var fresh = await StartAsync(Options());

        Assert.NotEqual(orphaned.ServerProcessId, fresh.ServerProcessId);
        Assert.False(ProcessState.IsRunning(orphaned.ServerProcessId));
        Assert.Equal(1, await ScalarAsync<int>(fresh.ConnectionString, "SELECT 1"));

        // The stale handle must not stop the server that replaced it.
        await orphaned.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(1, await ScalarAsync<int>(fresh.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task A_lock_file_naming_another_clusters_server_never_stops_that_server()
    {
        // Another cluster from the same binaries, in a folder of its own: someone else's server.
        using var elsewhere = new TemporaryFolder();
        await using var other = await StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = elsewhere.Combine("postgres"),
            StartTimeout = TimeSpan.FromSeconds(60),
        });
        var options = Options();
        await (await StartAsync(options)).StopAsync().WaitAsync(Timeout);
        var dataDirectory = folder.Combine("postgres");
        var lockFile = Path.Combine(dataDirectory, "postmaster.pid");
        await File.WriteAllTextAsync(lockFile, $"{other.ServerProcessId}\n{dataDirectory}\n");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => StartAsync(options));

        Assert.Contains($"pid {other.ServerProcessId}", error.Message);
        Assert.Contains(elsewhere.Combine("postgres"), error.Message);
        Assert.Contains(lockFile, error.Message);
        Assert.True(ProcessState.IsRunning(other.ServerProcessId));
        Assert.Equal(1, await ScalarAsync<int>(other.ConnectionString, "SELECT 1"));
        Assert.True(File.Exists(lockFile));
    }

    [Fact]
    public async Task Configured_port_in_use_is_reported_by_setting_name()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var options = Options();
        options.Port = port;

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => StartAsync(options));

        Assert.Contains($"Database:Port {port} is already in use on 127.0.0.1", error.Message);
    }

    [Fact]
    public async Task Data_folder_that_cannot_be_created_is_reported_by_setting_name()
    {
        // Root ignores permissions, but nobody can create a folder inside a regular file.
        var file = folder.Combine("a-file");
        await File.WriteAllTextAsync(file, "");
        var options = Options();
        options.DataDirectory = Path.Combine(file, "postgres");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => StartAsync(options));

        Assert.Contains("Database:DataDirectory", error.Message);
        Assert.Contains(options.DataDirectory, error.Message);
    }

    [Fact]
    public async Task Data_folder_holding_something_else_is_not_touched()
    {
        var options = Options();
        Directory.CreateDirectory(options.DataDirectory);
        var unrelated = Path.Combine(options.DataDirectory, "holiday-photos.txt");
        await File.WriteAllTextAsync(unrelated, "keep me");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => StartAsync(options));

        Assert.Contains($"Database:DataDirectory '{options.DataDirectory}' is not empty", error.Message);
        Assert.Equal("keep me", await File.ReadAllTextAsync(unrelated));
    }

    [Fact]
    public async Task Data_folder_path_that_pg_ctl_would_mangle_is_refused()
    {
        var options = Options();
        options.DataDirectory = folder.Combine("$HOME");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => StartAsync(options));

        Assert.Contains("Database:DataDirectory", error.Message);
        Assert.False(Directory.Exists(options.DataDirectory));
    }

    [Fact]
    public async Task Invalid_settings_are_reported_by_name()
    {
        var options = Options();
        options.Port = -1;
        options.Database = "Coach; DROP";

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => StartAsync(options));

        Assert.Contains("Database:Port", error.Message);
        Assert.Contains("Database:Database", error.Message);
    }

    [Fact]
    public async Task Missing_server_programs_name_the_three_ways_out()
    {
        var options = Options();
        options.BinDirectory = folder.Combine("empty-bin");
        Directory.CreateDirectory(options.BinDirectory);

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => StartAsync(options));

        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("ConnectionStrings__Coach", error.Message);
        Assert.Contains("docker compose up", error.Message);
        Assert.Contains(options.BinDirectory, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    private EmbeddedPostgresOptions Options() => new()
    {
        DataDirectory = folder.Combine("postgres"),
        StartTimeout = TimeSpan.FromSeconds(60),
    };

    private static Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options)
        => EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None).WaitAsync(Timeout);

    private static Process StartSleeperAsServerAccount()
    {
        // setpriv execs the program itself, so the pid is the sleeper's.
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "setpriv" : "sleep");
        foreach (var argument in asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "sleep", "60"] : new[] { "60" })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start("true");
        await process.WaitForExitAsync().WaitAsync(Timeout);
        return process.Id;
    }

    // Without pooling: a pooled connection would outlive a restarted server.
    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync().WaitAsync(Timeout);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync().WaitAsync(Timeout))!;
    }
}
