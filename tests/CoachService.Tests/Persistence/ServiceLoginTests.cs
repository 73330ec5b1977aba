using CoachService.Persistence;
using CoachService.Persistence.Embedded;
using CoachService.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace CoachService.Tests.Persistence;

/// <summary>The service's runtime login: never the owner, and refused at start-up when it could leave coach_app.</summary>
public sealed class ServiceLoginTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_configured_server_without_a_service_login_does_not_start()
    {
        var owner = await (await PostgresTestCluster.GetAsync()).CreateDatabaseAsync("login");
        await using var startup = new DatabaseStartup(owner, null, new EmbeddedPostgresOptions(), NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<StartupException>(() => startup.StartAsync(CancellationToken.None)).WaitAsync(Timeout);

        Assert.Contains("ConnectionStrings:CoachApp must be set", error.Message);
    }

    [Fact]
    public async Task The_owner_as_the_service_login_is_refused()
    {
        var owner = await (await PostgresTestCluster.GetAsync()).CreateDatabaseAsync("login");
        await using var startup = new DatabaseStartup(owner, owner, new EmbeddedPostgresOptions(), NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<StartupException>(() => startup.StartAsync(CancellationToken.None)).WaitAsync(Timeout);

        Assert.StartsWith("ConnectionStrings:CoachApp: the login 'coach_admin' is or may become a superuser", error.Message);
    }

    [Fact]
    public async Task A_plain_login_the_operator_made_is_given_coach_app_and_works_under_row_security()
    {
        var cluster = await PostgresTestCluster.GetAsync();
        var owner = await cluster.CreateDatabaseAsync("login");
        var login = $"operator_{Guid.NewGuid():N}"[..30];
        await using (var admin = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {login} LOGIN PASSWORD 'operator-chosen-password'", admin);
            await create.ExecuteNonQueryAsync();
        }

        var app = CoachConnectionStrings.AsLogin(owner, login, "operator-chosen-password");
        await using var startup = new DatabaseStartup(owner, app, new EmbeddedPostgresOptions(), NullLoggerFactory.Instance);
        await startup.StartAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Null(await ServiceLogin.FindEscapeAsync(startup.Connections.App));
        await using var connection = new NpgsqlConnection(startup.Connections.App);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user || ' ' || session_user || ' ' || (SELECT count(*) FROM users)", connection);
        Assert.Equal($"coach_app {login} 0", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_embedded_server_gets_a_service_login_whose_password_is_kept_privately_and_never_logged()
    {
        using var folder = new TemporaryFolder();
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace));
        var options = new EmbeddedPostgresOptions { DataDirectory = folder.Combine("postgres"), StartTimeout = TimeSpan.FromSeconds(60) };
        await using var startup = new DatabaseStartup(null, null, options, loggers);
        await startup.StartAsync(CancellationToken.None).WaitAsync(Timeout);

        var app = new NpgsqlConnectionStringBuilder(startup.Connections.App);
        Assert.Equal(ServiceLogin.EmbeddedName, app.Username);
        Assert.Equal((await File.ReadAllTextAsync(folder.Combine("postgres.service-password"))).Trim(), app.Password);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder.Combine("postgres.service-password")));
        }

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(startup.Connections.Owner).Password, app.Password);
        Assert.Null(await ServiceLogin.FindEscapeAsync(startup.Connections.App));
        Assert.DoesNotContain(logs.GetSnapshot(), log => log.Message.Contains(app.Password!, StringComparison.Ordinal));
        await startup.StopAsync(CancellationToken.None).WaitAsync(Timeout);
    }
}
