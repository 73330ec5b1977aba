using System.ComponentModel.DataAnnotations;

namespace CoachService.Persistence.Embedded;

/// <summary>
/// Settings of the PostgreSQL cluster the service runs itself when no
/// <c>ConnectionStrings:Coach</c> is configured.
/// </summary>
public sealed class EmbeddedPostgresOptions
{
    public const string SectionName = "Database";

    /// <summary>Where the cluster keeps its files; relative paths are resolved against the working directory.</summary>
    [Required(ErrorMessage = "Database:DataDirectory must be set.")]
    public string DataDirectory { get; set; } = ".coach-data/postgres";

    /// <summary>TCP port on 127.0.0.1; 0 picks a free port at each start.</summary>
    [Range(0, 65535, ErrorMessage = "Database:Port must be between 0 and 65535 (0 picks a free port).")]
    public int Port { get; set; }

    /// <summary>Folder holding initdb, pg_ctl and postgres; when unset they are looked up on PATH, then in /usr/lib/postgresql/*/bin.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>Name of the application database, created on first start.</summary>
    [Required(ErrorMessage = "Database:Database must be set.")]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$",
        ErrorMessage = "Database:Database must be a lower-case PostgreSQL identifier (letters, digits, underscore; at most 63).")]
    public string Database { get; set; } = "coach";

    /// <summary>
    /// The server's <c>max_connections</c>. The service's own connection pool is sized below it, so under
    /// load a request waits for a pooled connection instead of being refused with "too many clients".
    /// </summary>
    [Range(20, 10_000, ErrorMessage = "Database:MaxConnections must be between 20 and 10000.")]
    public int MaxConnections { get; set; } = 200;

    /// <summary>Connections the server keeps beyond the service's pool: migrations, health checks, a psql session.</summary>
    public const int ReservedConnections = 10;

    /// <summary>How long to wait for the server to accept connections.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00",
        ErrorMessage = "Database:StartTimeout must be between 1 second and 10 minutes.")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
