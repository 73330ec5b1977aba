using Npgsql;

namespace CoachService.Persistence;

/// <summary>
/// The two ways the service talks to PostgreSQL. <see cref="Owner"/> is the configured login: it
/// applies migrations and owns the tables. <see cref="App"/> is the same login switched to the
/// <c>coach_app</c> role at connection start-up, so every query the service runs is subject to row
/// level security (the role owns nothing and cannot bypass it).
/// </summary>
public sealed record CoachConnectionStrings(string Owner, string App)
{
    /// <summary>The role the service's connections take (created by the initial migration): it owns nothing and cannot bypass RLS.</summary>
    public const string AppRole = "coach_app";

    /// <param name="appPoolSize">The service pool's size, when the server's connection limit is known.</param>
    public static CoachConnectionStrings FromOwner(string ownerConnectionString, int? appPoolSize = null)
    {
        var owner = new NpgsqlConnectionStringBuilder(ownerConnectionString);
        if (string.IsNullOrEmpty(owner.ApplicationName))
        {
            owner.ApplicationName = "coach-service";
        }

        var app = new NpgsqlConnectionStringBuilder(owner.ConnectionString);
        if (appPoolSize is { } size)
        {
            app.MaxPoolSize = size;
        }

        app.Options = string.IsNullOrWhiteSpace(app.Options)
            ? $"-c role={AppRole}"
            : $"{app.Options} -c role={AppRole}";
        return new CoachConnectionStrings(owner.ConnectionString, app.ConnectionString);
    }
}
