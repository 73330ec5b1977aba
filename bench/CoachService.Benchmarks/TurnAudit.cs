using System.Globalization;
using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoachService.Benchmarks;

/// <summary>A stored message of a benchmark session, as the audit needs it.</summary>
public sealed record StoredMessage(Guid Id, Guid SessionId, string? ClientTurnId, string Role, string Content, bool Interrupted);

/// <summary>A turn the client sent (SendTurn was called) and what it received.</summary>
public sealed record SentTurn(Guid SessionId, string TurnId, string? CompletedContent, bool Failed);

/// <summary>What the database check found.</summary>
public sealed record AuditResult(int Sent, int StoredOnce, int Lost, int Duplicated, int WithoutReply, int WithoutSnapshot, int ContentMismatch, int Unexpected, IReadOnlyList<string> Problems)
{
    public bool Clean => Problems.Count == 0;
}

/// <summary>
/// The cross-check of a run against the database: every sent turn stored exactly once (one user
/// message and one coach reply under its turn id), the reply non-empty and equal to what the client
/// was told, the user message with its emotional snapshot, and nothing stored that was not sent.
/// </summary>
public static class TurnAudit
{
    public static AuditResult Check(IReadOnlyCollection<SentTurn> sent, IReadOnlyCollection<StoredMessage> stored, IReadOnlySet<Guid> messagesWithEmotions)
    {
        var problems = new List<string>();
        var byTurn = stored.Where(m => m.ClientTurnId is not null && m.Role is "user" or "assistant")
            .ToLookup(m => (m.SessionId, m.ClientTurnId!));
        int once = 0, lost = 0, duplicated = 0, noReply = 0, noSnapshot = 0, mismatch = 0;
        foreach (var turn in sent)
        {
            var rows = byTurn[(turn.SessionId, turn.TurnId)].ToList();
            var users = rows.Where(r => r.Role == "user").ToList();
            var replies = rows.Where(r => r.Role == "assistant").ToList();
            if (users.Count == 0)
            {
                lost++;
                problems.Add($"turn {turn.TurnId}: lost, no user message stored");
                continue;
            }

            if (users.Count > 1 || replies.Count > 1)
            {
                duplicated++;
                problems.Add($"turn {turn.TurnId}: stored {users.Count} user messages and {replies.Count} replies");
                continue;
            }

            if (replies.Count == 0 || replies[0].Content.Length == 0 || replies[0].Interrupted)
            {
                noReply++;
                problems.Add($"turn {turn.TurnId}: {(replies.Count == 0 ? "no reply stored" : "the stored reply is empty or cut short")}");
                continue;
            }

            if (turn.CompletedContent is not null && turn.CompletedContent != replies[0].Content)
            {
                mismatch++;
                problems.Add($"turn {turn.TurnId}: the stored reply differs from the one the client was told");
            }

            if (!messagesWithEmotions.Contains(users[0].Id))
            {
                noSnapshot++;
                problems.Add($"turn {turn.TurnId}: no emotional snapshot stored");
                continue;
            }

            once++;
        }

        var sentIds = sent.Select(t => (t.SessionId, t.TurnId)).ToHashSet();
        var unexpected = byTurn.Count(g => !sentIds.Contains(g.Key));
        if (unexpected > 0)
        {
            problems.Add($"{unexpected} turn ids stored that no client sent");
        }

        return new AuditResult(sent.Count, once, lost, duplicated, noReply, noSnapshot, mismatch, unexpected, problems);
    }

    /// <summary>
    /// Reads the messages and snapshots of the given sessions. The messages are read through the service's
    /// own model, one unit of work per user, with the test database's key ring: their text is stored
    /// encrypted with each user's key, so a raw read would see only ciphertext.
    /// </summary>
    public static async Task<(List<StoredMessage> Messages, HashSet<Guid> WithEmotions)> ReadAsync(CoachTestDatabase database, IReadOnlyCollection<Guid> sessions, CancellationToken ct)
    {
        var messages = new List<StoredMessage>();
        var withEmotions = new HashSet<Guid>();
        await using var connection = new NpgsqlConnection(database.Connections.Owner);
        await connection.OpenAsync(ct);
        var users = new List<Guid>();
        await using (var command = new NpgsqlCommand("SELECT DISTINCT user_id FROM sessions WHERE id = ANY(@sessions)", connection))
        {
            command.Parameters.AddWithValue("sessions", sessions.ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                users.Add(reader.GetGuid(0));
            }
        }

        var services = new ServiceCollection().AddLogging();
        services.AddCoachPersistence(database.Connections, database.Encryption);
        await using (var provider = services.BuildServiceProvider())
        {
            var coach = provider.GetRequiredService<CoachDatabase>();
            var ids = sessions.ToArray();
            foreach (var user in users)
            {
                messages.AddRange(await coach.ForUserAsync(user, db => db.Messages.AsNoTracking()
                    .Where(m => ids.Contains(m.SessionId))
                    .Select(m => new StoredMessage(m.Id, m.SessionId, m.ClientTurnId, m.Role, m.Content, m.Interrupted))
                    .ToListAsync(ct), ct));
            }
        }

        await using (var command = new NpgsqlCommand("SELECT DISTINCT message_id FROM message_emotions WHERE session_id = ANY(@sessions)", connection))
        {
            command.Parameters.AddWithValue("sessions", sessions.ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                withEmotions.Add(reader.GetGuid(0));
            }
        }

        return (messages, withEmotions);
    }

    /// <summary>
    /// Session metrics whose name starts with <paramref name="prefix"/>, summed by name: the hook for
    /// issue 14's preemptive generation (hit rate, wasted tokens) once the service records them.
    /// </summary>
    public static async Task<Dictionary<string, decimal>> ReadSessionMetricsAsync(string ownerConnection, IReadOnlyCollection<Guid> sessions, string prefix, CancellationToken ct)
    {
        var metrics = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(ownerConnection);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT metric_name, sum(metric_value) FROM session_metrics WHERE session_id = ANY(@sessions) AND metric_name LIKE @prefix GROUP BY metric_name", connection);
        command.Parameters.AddWithValue("sessions", sessions.ToArray());
        command.Parameters.AddWithValue("prefix", prefix + "%");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            metrics[reader.GetString(0)] = reader.IsDBNull(1) ? 0 : reader.GetDecimal(1);
        }

        return metrics;
    }

    /// <summary>
    /// The client backends of the service's database other than the benchmark's own (pg_stat_activity): the connections
    /// the service's pools hold open, idle or not.
    /// </summary>
    public static async Task<int> CountServiceConnectionsAsync(string ownerConnection, CancellationToken ct)
    {
        const string Benchmark = "coach-benchmark";
        var builder = new NpgsqlConnectionStringBuilder(ownerConnection) { ApplicationName = Benchmark, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND application_name <> @benchmark", connection);
        command.Parameters.AddWithValue("benchmark", Benchmark);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The tables the database scanned sequentially since it was made (warm-up included), from pg_stat_user_tables:
    /// a plan that lost its index (a generic plan made while a table was nearly empty, say) shows here as rows read
    /// far beyond the table's size. Read before the audit, whose own reads would count.
    /// </summary>
    public static async Task<string> ReadSequentialScansAsync(string ownerConnection, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ownerConnection);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_live_tup FROM pg_stat_user_tables WHERE seq_tup_read > 0 ORDER BY seq_tup_read DESC LIMIT 4", connection);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            tables.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{reader.GetString(0)} {reader.GetInt64(1):N0} scans reading {reader.GetInt64(2):N0} rows ({reader.GetInt64(3):N0} index scans, {reader.GetInt64(4):N0} rows live)"));
        }

        return tables.Count == 0 ? "none" : string.Join("; ", tables);
    }
}
