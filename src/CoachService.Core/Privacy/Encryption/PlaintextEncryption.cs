using CoachService.Persistence;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CoachService.Privacy.Encryption;

/// <summary>What one pass of <see cref="PlaintextEncryption"/> did: counts only, never text.</summary>
/// <param name="Users">Users whose text it encrypted.</param>
/// <param name="Values">Values it encrypted.</param>
/// <param name="ErasedUsersSkipped">Erased users without a key whose plain rows it left alone.</param>
public sealed record PlaintextEncryptionResult(int Users, int Values, int ErasedUsersSkipped);

/// <summary>
/// Encrypts the text stored before encryption at rest: values without the <c>enc1:</c> prefix in the
/// encrypted columns (<see cref="EncryptedColumn"/>). It runs once the service has started, unless
/// <see cref="EncryptionOptions.EncryptPlaintextOnStart"/> is off. The database function
/// <c>coach_users_with_plain_text</c> names the users concerned (it crosses users, which coach_app
/// cannot); each user's values are then encrypted in that user's own unit of work, under their key and
/// row level security, <see cref="EncryptionOptions.PlaintextBatchSize"/> rows per transaction.
/// </summary>
/// <remarks>
/// The state is the data itself: a value is plain until its transaction commits it encrypted, so a pass
/// that stops (a crash, a shutdown, the database away) loses nothing and the next start goes on where it
/// stopped, and a pass over encrypted data changes nothing. Rows are taken <c>FOR UPDATE SKIP LOCKED</c>
/// under the user's erasure lock: two instances never encrypt one value twice, a turn writing a row waits
/// for the batch (or the batch skips a row the turn holds), and an erasure waits too. A user recorded as
/// erased who has no key is left alone: making a key would make readable again the text of someone who
/// asked for it to go, so their plain rows are counted and logged for an operator to delete.
/// </remarks>
/// <param name="database">Resolved when the pass starts: hosted services are made before the database is up.</param>
public sealed class PlaintextEncryption(
    Func<CoachDatabase> database,
    Func<IDbContextFactory<CoachDbContext>> contexts,
    UserKeyRing keys,
    IOptions<EncryptionOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<PlaintextEncryption> logger) : BackgroundService
{
    /// <param name="Rows">Rows taken: fewer than the batch size means the user has no more.</param>
    private sealed record Batch(int Rows, int Values, int LeftPlain);

    /// <summary>One pass over every user with plain text; safe to run at any time, and at once on several instances.</summary>
    public async Task<PlaintextEncryptionResult> RunAsync(CancellationToken cancellationToken = default)
    {
        List<Guid> users;
        IReadOnlyList<EncryptedTable> tables;
        await using (var db = await contexts().CreateDbContextAsync(cancellationToken))
        {
            tables = EncryptedColumn.All(db.Model);
            users = await db.Database
                .SqlQuery<Guid>($"SELECT u AS \"Value\" FROM coach_users_with_plain_text() AS u ORDER BY u")
                .ToListAsync(cancellationToken);
        }

        int encryptedUsers = 0, values = 0, skipped = 0;
        foreach (var userId in users)
        {
            var ofUser = 0;
            while (true)
            {
                var batch = await database().ForUserAsync(userId, db => EncryptBatchAsync(db, userId, tables, cancellationToken), cancellationToken);
                if (batch.LeftPlain > 0)
                {
                    skipped++;
                    EncryptionLog.ErasedUserPlaintextLeft(logger, userId, batch.LeftPlain);
                    break;
                }

                ofUser += batch.Values;
                if (batch.Rows < options.Value.PlaintextBatchSize)
                {
                    break;
                }
            }

            if (ofUser > 0)
            {
                encryptedUsers++;
                values += ofUser;
            }
        }

        EncryptionLog.PlaintextEncrypted(logger, values, encryptedUsers);
        return new PlaintextEncryptionResult(encryptedUsers, values, skipped);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.EncryptPlaintextOnStart)
        {
            return;
        }

        try
        {
            // After every hosted service has started: the database is migrated and the turns are served first.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken);
            }

            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // What was committed stays encrypted; the next start goes on from there.
            EncryptionLog.PlaintextEncryptionFailed(logger, e, e.GetType().Name);
        }
    }

    private async Task<Batch> EncryptBatchAsync(CoachDbContext db, Guid userId, IReadOnlyList<EncryptedTable> tables, CancellationToken cancellationToken)
    {
        // The erasure takes this lock too: the user is not erased half-way through the batch.
        await UserErasures.LockAsync(db, userId, cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        if (keys.Find(userId) is null && await UserErasures.ErasedAtAsync(db, cancellationToken) is not null)
        {
            var left = 0;
            foreach (var table in tables)
            {
                await using var count = Command(CountSql(table), connection, transaction, ("user", userId));
                left += (int)(await count.ExecuteScalarAsync(cancellationToken))!;
            }

            return new Batch(0, 0, left);
        }

        var budget = options.Value.PlaintextBatchSize;
        int rows = 0, values = 0;
        foreach (var table in tables)
        {
            if (rows == budget)
            {
                break;
            }

            var ids = new List<Guid>();
            var columns = table.Columns.Select(_ => new List<string?>()).ToArray();
            await using (var select = Command(SelectSql(table), connection, transaction, ("user", userId), ("limit", budget - rows)))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids.Add(reader.GetGuid(0));
                    for (var c = 0; c < columns.Length; c++)
                    {
                        var stored = reader.IsDBNull(c + 1) ? null : reader.GetString(c + 1);
                        // The plain value is what readers saw (a JSON column's is its JSON): encrypted as it is, it reads back the same.
                        if (stored is not null && !UserText.IsEncrypted(stored))
                        {
                            stored = EncryptedColumn.Protect(stored);
                            values++;
                        }

                        columns[c].Add(stored);
                    }
                }
            }

            if (ids.Count == 0)
            {
                continue;
            }

            // Every encrypted column of a row at once: a format check (even NOT VALID) sees the whole new row.
            await using var update = Command(UpdateSql(table), connection, transaction,
                [("ids", ids.ToArray()), .. columns.Select((list, c) => ($"c{c}", (object)list.ToArray()))]);
            await update.ExecuteNonQueryAsync(cancellationToken);
            rows += ids.Count;
        }

        return new Batch(rows, values, 0);
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction transaction, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value is string?[] texts
                ? new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = texts }
                : new NpgsqlParameter(name, value));
        }

        return command;
    }

    // The table and column names come from the EF model, never from input; the values are parameters.
    private static string CountSql(EncryptedTable t) => $"""
        SELECT ({string.Join(" + ", t.Columns.Select(c => $"count(*) FILTER (WHERE {Plain(c)})"))})::int
        FROM {Quote(t.Table)} WHERE {Quote(t.UserColumn)} = @user
        """;

    // SKIP LOCKED: a row another instance's batch (or a turn) holds is left to it.
    private static string SelectSql(EncryptedTable t) => $"""
        SELECT {Quote(t.KeyColumn)}, {string.Join(", ", t.Columns.Select(Quote))} FROM {Quote(t.Table)}
        WHERE {Quote(t.UserColumn)} = @user AND ({string.Join(" OR ", t.Columns.Select(Plain))})
        ORDER BY {Quote(t.KeyColumn)} LIMIT @limit FOR UPDATE SKIP LOCKED
        """;

    private static string UpdateSql(EncryptedTable t) => $"""
        UPDATE {Quote(t.Table)} AS t SET {string.Join(", ", t.Columns.Select(c => $"{Quote(c)} = v.{Quote(c)}"))}
        FROM unnest(@ids, {string.Join(", ", t.Columns.Select((_, i) => $"@c{i}"))}) AS v(id, {string.Join(", ", t.Columns.Select(Quote))})
        WHERE t.{Quote(t.KeyColumn)} = v.id
        """;

    private static string Plain(string column) => $"{Quote(column)} NOT LIKE '{UserText.Prefix}%'";

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
