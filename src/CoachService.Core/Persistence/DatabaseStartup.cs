using System.Net.Sockets;
using CoachService.Persistence.Embedded;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CoachService.Persistence;

/// <summary>
/// Brings the database up when the host starts: the configured server, or an embedded cluster when
/// none is configured; then applies the migrations. Stops the embedded cluster when the host stops
/// (or when the host is disposed after a failed start).
/// </summary>
public sealed partial class DatabaseStartup(string? configuredConnectionString, EmbeddedPostgresOptions embeddedOptions, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    public const string ConnectionStringName = "Coach";
    private const string Setting = "ConnectionStrings:Coach";

    private readonly ILogger logger = loggers.CreateLogger<DatabaseStartup>();
    private EmbeddedPostgres? embedded;
    private CoachConnectionStrings? connections;

    public CoachConnectionStrings Connections =>
        connections ?? throw new InvalidOperationException("The database is used before the host started it.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        string owner;
        if (string.IsNullOrWhiteSpace(configuredConnectionString))
        {
            embedded = await EmbeddedPostgres.StartAsync(embeddedOptions, loggers.CreateLogger<EmbeddedPostgres>(), cancellationToken);
            owner = embedded.ConnectionString;
            LogEmbedded(logger, embedded.Port, Path.GetFullPath(embedded.DataDirectory));
        }
        else
        {
            try
            {
                owner = new NpgsqlConnectionStringBuilder(configuredConnectionString).ConnectionString;
            }
            catch (ArgumentException e)
            {
                throw new StartupException($"{Setting} is not a valid PostgreSQL connection string: {e.Message}", e);
            }
        }

        // The embedded server's limit is ours to size the pool against; a configured server's pool is
        // the connection string's business (Maximum Pool Size).
        connections = CoachConnectionStrings.FromOwner(owner,
            embedded is null ? null : embeddedOptions.MaxConnections - EmbeddedPostgresOptions.ReservedConnections);
        try
        {
            await new DatabaseMigrator(connections, loggers.CreateLogger<DatabaseMigrator>()).MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new StartupException(Describe(owner, e), e);
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
    private static string Describe(string connectionString, Exception error)
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
        return $"{Setting} ({where}): {reason}";
    }

    [LoggerMessage(EventId = 102, Level = LogLevel.Information,
        Message = "Using the embedded PostgreSQL on 127.0.0.1:{Port}, data in {DataDirectory} (set ConnectionStrings:Coach to use your own server)")]
    private static partial void LogEmbedded(ILogger logger, int port, string dataDirectory);
}
