using Npgsql;

namespace CoachService.Persistence;

/// <summary>
/// The two ways the service talks to PostgreSQL. <see cref="Owner"/> is the login that owns the tables
/// and applies migrations. <see cref="App"/> is a different login (<see cref="ServiceLogin"/>) switched
/// to the <c>coach_app</c> role at connection start-up, so every query the service runs is subject to
/// row level security; and a connection that leaves the role (<c>SET ROLE NONE</c>) is still that
/// restricted login, never the owner.
/// </summary>
public sealed record CoachConnectionStrings(string Owner, string App)
{
    /// <summary>The role the service's connections take (created by the initial migration): it owns nothing and cannot bypass RLS.</summary>
    public const string AppRole = "coach_app";

    /// <summary>Statements each service connection keeps prepared (Npgsql's automatic preparation).</summary>
    public const int AutoPreparedStatements = 100;

    /// <param name="ownerConnectionString">The owner login.</param>
    /// <param name="appConnectionString">The service's login; the role switch is added here.</param>
    /// <param name="appPoolSize">The service pool's size, when the server's connection limit is known.</param>
    public static CoachConnectionStrings Create(string ownerConnectionString, string appConnectionString, int? appPoolSize = null)
    {
        var owner = WithApplicationName(ownerConnectionString);
        var app = WithApplicationName(appConnectionString);
        if (appPoolSize is { } size)
        {
            app.MaxPoolSize = size;
        }

        // The service sends the same few dozen statements over and over: prepared once per connection, the
        // server parses and plans each of them once instead of at every turn (issue 10's profile: parsing and
        // planning were the largest part of PostgreSQL's CPU a turn). A connection string that sets its own
        // value keeps it.
        if (app.MaxAutoPrepare == 0 && !Mentions(appConnectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            app.MaxAutoPrepare = AutoPreparedStatements;
            app.AutoPrepareMinUsages = 2;
        }

        // Npgsql resets a pooled connection's session (RESET ALL, CLOSE ALL, UNLISTEN *, advisory unlocks, DISCARD
        // TEMP and SEQUENCES) before its next use: a statement of its own in front of every unit of work, about 15 % of
        // PostgreSQL's CPU a turn at the ceiling (issue 10). The service leaves nothing in a pooled session to reset:
        // a unit's user is transaction-local (coach_enter_user), its advisory locks are transaction locks, and LISTEN
        // and the session lock live on the turn coordinator's own unpooled connection. A connection string that sets
        // its own value keeps it.
        if (!Mentions(appConnectionString, "No Reset On Close", "NoResetOnClose"))
        {
            app.NoResetOnClose = true;
        }

        var roleOption = $"-c role={AppRole}";
        if (app.Options?.Contains(roleOption, StringComparison.Ordinal) != true)
        {
            app.Options = string.IsNullOrWhiteSpace(app.Options) ? roleOption : $"{app.Options} {roleOption}";
        }

        return new CoachConnectionStrings(owner.ConnectionString, app.ConnectionString);
    }

    /// <summary>The same server and database as <paramref name="connectionString"/>, as another login.</summary>
    public static string AsLogin(string connectionString, string login, string password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = login, Password = password }.ConnectionString;

    private static bool Mentions(string connectionString, params string[] keys) =>
        keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));

    private static NpgsqlConnectionStringBuilder WithApplicationName(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "coach-service";
        }

        return builder;
    }
}
