using System.Net.Sockets;
using CoachService.Persistence.Embedded;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CoachService.Persistence;

/// <summary>
/// Brings the database up when the host starts: the configured server, or an embedded cluster when
/// none is configured; then applies the migrations as the owner and readies the service's own login
/// (<see cref="ServiceLogin"/>), refusing to start when that login could leave row level security.
/// Stops the embedded cluster when the host stops (or when the host is disposed after a failed start).
/// </summary>
/// <param name="configuredConnectionString">ConnectionStrings:Coach, the owner login.</param>
/// <param name="configuredAppConnectionString">ConnectionStrings:CoachApp, the service's login on a configured server.</param>
public sealed partial class DatabaseStartup(
    string? configuredConnectionString, string? configuredAppConnectionString, EmbeddedPostgresOptions embeddedOptions, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    public const string ConnectionStringName = "Coach";
    public const string AppConnectionStringName = "CoachApp";
    private const string Setting = "ConnectionStrings:Coach";
    private const string AppSetting = "ConnectionStrings:CoachApp";

    private readonly ILogger logger = loggers.CreateLogger<DatabaseStartup>();
    private EmbeddedPostgres? embedded;
    private CoachConnectionStrings? connections;

    public CoachConnectionStrings Connections =>
        connections ?? throw new InvalidOperationException("The database is used before the host started it.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string owner;
        string app;
        if (string.IsNullOrWhiteSpace(configuredConnectionString))
        {
            embedded = await EmbeddedPostgres.StartAsync(embeddedOptions, loggers.CreateLogger<EmbeddedPostgres>(), cancellationToken);
            owner = embedded.ConnectionString;
            app = CoachConnectionStrings.AsLogin(owner, ServiceLogin.EmbeddedName, embedded.ServiceLoginPassword);
            LogEmbedded(logger, embedded.Port, Path.GetFullPath(embedded.DataDirectory));
        }
        else
        {
            owner = Parse(configuredConnectionString, Setting);
            // Without its own login the service would run as the owner, which any SET ROLE NONE turns back into.
            app = string.IsNullOrWhiteSpace(configuredAppConnectionString)
                ? throw new StartupException(
                    $"{AppSetting} must be set beside {Setting}: the service's own login, not the owner (for example "
                    + "CREATE ROLE coach_service LOGIN PASSWORD '...'; the migrations make it a member of coach_app). See README, \"Your own PostgreSQL\".")
                : Parse(configuredAppConnectionString, AppSetting);
        }

        // The embedded server's limit is ours to size the pool against; a configured server's pool is
        // the connection string's business (Maximum Pool Size).
        connections = CoachConnectionStrings.Create(owner, app,
            embedded is null ? null : embeddedOptions.MaxConnections - EmbeddedPostgresOptions.ReservedConnections);
        try
        {
            await new DatabaseMigrator(connections, loggers.CreateLogger<DatabaseMigrator>()).MigrateAsync(cancellationToken);
            if (embedded is not null)
            {
                await ServiceLogin.EnsureAsync(owner, ServiceLogin.EmbeddedName, embedded.ServiceLoginPassword, cancellationToken);
            }
            else
            {
                await ServiceLogin.GrantAppRoleAsync(owner, new NpgsqlConnectionStringBuilder(app).Username ?? "", cancellationToken);
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new StartupException(Describe(Setting, owner, e), e);
        }

        string? escape;
        try
        {
            escape = await ServiceLogin.FindEscapeAsync(connections.App, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new StartupException(Describe(embedded is null ? AppSetting : "the embedded service login", app, e), e);
        }

        if (escape is not null)
        {
            throw new StartupException($"{AppSetting}: {escape}. The service's login must be confined to coach_app's row level security; use a plain login (NOSUPERUSER NOBYPASSRLS NOCREATEROLE) that owns nothing.");
        }
    }

    private static string Parse(string connectionString, string setting)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new StartupException($"{setting} is not a valid PostgreSQL connection string: {e.Message}", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        embedded?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (embedded is not null)
        {
            await embedded.DisposeAsync();
        }
    }

    /// <summary>One line naming the setting and the server, never the password.</summary>
    private static string Describe(string setting, string connectionString, Exception error)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var where = $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
        var reason = error switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
                "the user name or password was refused",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } => "the database does not exist",
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } p =>
                $"the user lacks a privilege the migrations need ({p.MessageText}); it must own the database and may create roles",
            PostgresException p => p.MessageText,
            _ when error.InnerException is SocketException socket => $"cannot connect ({socket.SocketErrorCode})",
            _ when error.InnerException is TimeoutException || error is TimeoutException => "the server did not answer in time",
            _ => error.Message,
        };
        return $"{setting} ({where}): {reason}";
    }

    [LoggerMessage(EventId = 102, Level = LogLevel.Information,
        Message = "Using the embedded PostgreSQL on 127.0.0.1:{Port}, data in {DataDirectory} (set ConnectionStrings:Coach to use your own server)")]
    private static partial void LogEmbedded(ILogger logger, int port, string dataDirectory);
}
