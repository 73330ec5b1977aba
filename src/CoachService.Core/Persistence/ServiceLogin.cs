using System.Text.RegularExpressions;
using Npgsql;

namespace CoachService.Persistence;

/// <summary>
/// The login the service's own connections use. It is not the owner: a connection that runs
/// <c>SET ROLE NONE</c> or <c>RESET ROLE</c> falls back to this login, which is itself subject to row
/// level security (no superuser, no BYPASSRLS, no CREATEROLE, owns nothing, a member of
/// <c>coach_app</c> and nothing more privileged).
/// </summary>
public static partial class ServiceLogin
{
    /// <summary>The login the service creates for itself on the embedded server.</summary>
    public const string EmbeddedName = "coach_service";

    /// <summary>
    /// Creates the login, or brings an existing one back to these attributes and this password (deleting
    /// the password file rotates it), and makes it a member of <c>coach_app</c>. Run as the owner after the
    /// migrations (which create <c>coach_app</c>); needs CREATEROLE, as the embedded superuser has.
    /// </summary>
    public static async Task EnsureAsync(string ownerConnectionString, string login, string password, CancellationToken cancellationToken = default)
    {
        // ALTER ROLE takes no parameters: only a generated password of plain letters and digits is accepted.
        if (!GeneratedPassword().IsMatch(password))
        {
            throw new ArgumentException("The service login's password must be 20 or more letters and digits.", nameof(password));
        }

        var role = Quote(login);
        await using var connection = new NpgsqlConnection(Unpooled(ownerConnectionString));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {Literal(login)}) THEN
                    CREATE ROLE {role} LOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by another start against the same cluster
            END $$;
            ALTER ROLE {role} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{password}';
            GRANT {CoachConnectionStrings.AppRole} TO {role};
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Makes a login the operator created a member of <c>coach_app</c> (the owner created that role, so it may grant it).</summary>
    public static async Task GrantAppRoleAsync(string ownerConnectionString, string login, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(Unpooled(ownerConnectionString));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            DO $$
            BEGIN
                IF NOT pg_has_role({Literal(login)}, '{CoachConnectionStrings.AppRole}', 'MEMBER') THEN
                    GRANT {CoachConnectionStrings.AppRole} TO {Quote(login)};
                END IF;
            END $$;
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Why the login of <paramref name="appConnectionString"/> could leave <c>coach_app</c>'s row level
    /// security, or null when it cannot: it must not be (or be able to become) a superuser, a role that
    /// bypasses RLS or creates roles, or the tables' owner, and it must be a member of <c>coach_app</c>.
    /// </summary>
    public static async Task<string?> FindEscapeAsync(string appConnectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(Unpooled(appConnectionString));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT session_user,
                   (SELECT string_agg(r.rolname, ', ' ORDER BY r.rolname) FROM pg_roles r
                     WHERE pg_has_role(session_user, r.oid, 'MEMBER') AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole)),
                   pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'users'::regclass), 'MEMBER'),
                   pg_has_role(session_user, '{CoachConnectionStrings.AppRole}', 'MEMBER')
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var login = reader.GetString(0);
        return (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3)) switch
        {
            ({ } privileged, _, _) => $"the login '{login}' is or may become a superuser or a role that bypasses row level security or creates roles ({privileged})",
            (_, true, _) => $"the login '{login}' owns the tables (or is a member of their owner)",
            (_, _, false) => $"the login '{login}' is not a member of {CoachConnectionStrings.AppRole}",
            _ => null,
        };
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("^[A-Za-z0-9]{20,}$")]
    private static partial Regex GeneratedPassword();
}
