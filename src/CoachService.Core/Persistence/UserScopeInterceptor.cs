using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CoachService.Persistence;

/// <summary>
/// Sets the database-side user of a unit of work (<c>app.user_id</c>, read by the row level security
/// policies) in the round trip of the unit's first command instead of a round trip of its own: the
/// command is sent as <c>CALL coach_enter_user(@user); &lt;command&gt;</c>, and a procedure's call yields no
/// result set, so the command reads and counts as before. A command that cannot carry it (positional
/// parameters, or an EF <c>SaveChanges</c> batch, whose results EF reads statement by statement) gets
/// the setting as its own statement just before it, on the same connection and transaction.
/// </summary>
/// <remarks>
/// <see cref="CoachDatabase"/> marks the context (<see cref="CoachDbContext.UserToEnter"/>) once its
/// transaction has begun; the mark is taken by the first command, so the setting is never missing when a
/// command of the unit runs and is sent once.
/// </remarks>
public sealed partial class UserScopeInterceptor(ILogger<UserScopeInterceptor> logger) : DbCommandInterceptor
{
    /// <summary>The procedure the first command calls (made by the <c>UserScopeProcedure</c> migration).</summary>
    public const string Procedure = "coach_enter_user";

    private const string ParameterName = "@coach_enter_user";

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Enter(command, eventData);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, eventData, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Enter(command, eventData);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, eventData, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Enter(command, eventData);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, eventData, cancellationToken);
        return result;
    }

    private void Enter(DbCommand command, CommandEventData eventData)
    {
        if (Take(command, eventData) is { } separate)
        {
            using (separate)
            {
                separate.ExecuteNonQuery();
            }
        }
    }

    private async ValueTask EnterAsync(DbCommand command, CommandEventData eventData, CancellationToken cancellationToken)
    {
        if (Take(command, eventData) is { } separate)
        {
            await using (separate)
            {
                await separate.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Takes the context's mark: prepends the call to <paramref name="command"/> and returns null, or returns
    /// the statement to run on its own first.
    /// </summary>
    private DbCommand? Take(DbCommand command, CommandEventData eventData)
    {
        if (eventData.Context is not CoachDbContext { UserToEnter: { } userId } db)
        {
            return null;
        }

        db.UserToEnter = null;
        if (eventData.CommandSource != CommandSource.SaveChanges && IsNamed(command))
        {
            command.CommandText = $"CALL {Procedure}({ParameterName});\n{command.CommandText}";
            command.Parameters.Add(new NpgsqlParameter(ParameterName, userId));
            return null;
        }

        LogSeparate(logger, eventData.CommandSource);
        var separate = command.Connection!.CreateCommand();
        separate.Transaction = command.Transaction;
        separate.CommandText = $"CALL {Procedure}({ParameterName})";
        separate.Parameters.Add(new NpgsqlParameter(ParameterName, userId));
        return separate;
    }

    /// <summary>
    /// Named parameters (<c>@name</c>) let Npgsql split a command into statements; a command with positional
    /// ones (<c>$1</c>) is sent as one statement and cannot take a second.
    /// </summary>
    private static bool IsNamed(DbCommand command)
    {
        foreach (DbParameter parameter in command.Parameters)
        {
            if (!parameter.ParameterName.StartsWith('@'))
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(EventId = 103, EventName = "UserEnteredSeparately", Level = LogLevel.Debug, Message = "The unit's user was set by a statement of its own before its first command ({Source})")]
    private static partial void LogSeparate(ILogger logger, CommandSource source);
}
