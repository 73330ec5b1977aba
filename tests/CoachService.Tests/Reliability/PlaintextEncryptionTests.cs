using System.Net.Http.Headers;
using CoachService.Api.Auth;
using CoachService.Persistence;
using CoachService.Privacy.Encryption;
using CoachService.Tests.Service;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoachService.Tests.Reliability;

/// <summary>
/// Text stored before encryption at rest (values without the <c>enc1:</c> prefix, written by an older
/// version) is encrypted by <see cref="PlaintextEncryption"/>: per user, in batches, once, and safely
/// with two instances at once (docs/decisions/encryption-at-rest.md, "Existing data").
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class PlaintextEncryptionTests
{
    /// <summary>The last migration before encryption at rest: what a database of the old version holds.</summary>
    private const string BeforeEncryption = "20261201000400_ReplyCutOff";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // One phrase per encrypted column (five messages, to take several batches); none is in any template or seed.
    private static readonly string[] Phrases =
    [
        "plain-zebra said this 1", "plain-zebra said this 2", "plain-zebra said this 3", "plain-zebra said this 4",
        "plain-coach pelican reply", "plain-heard walrus", "plain-action heron goal", "plain-insight otter",
        "plain-suggestion lynx", "plain-virtue-meta badger", "plain-transcript falcon", "plain-assessment ibis",
        "plain-goal marmot", "plain-smart marmot", "plain-mood-context newt", "plain-trigger gecko", "plain-virtue yak",
    ];

    [Fact]
    public async Task Rows_of_the_old_version_are_encrypted_at_start_read_back_the_same_and_leave_no_plaintext_in_a_dump()
    {
        await using var database = await CoachTestDatabase.CreateAsync(migrate: false);
        await database.MigrateAsync(BeforeEncryption);
        var email = $"legacy-{Guid.NewGuid():N}@example.com";
        var userId = Guid.NewGuid();
        await using (var owner = await database.OpenOwnerAsync())
        {
            await InsertAsOldVersionAsync(owner, userId, email);
        }

        // The service's own migrations on start-up turn the old columns into text, then the job runs: two values per transaction.
        await database.MigrateAsync();
        await using var app = CoachApp.StartOn(database, new Dictionary<string, string?> { ["DataProtection:PlaintextBatchSize"] = "2" }, captureLogs: true);
        var done = await WaitForLogAsync(app, 4006);

        Assert.Equal($"Encrypted {Phrases.Length} values stored before encryption at rest, of 1 users", done.Message);
        var stored = await RawValuesAsync(database);
        var columns = EncryptedColumn.All(Model(database));
        Assert.Equal(
            columns.SelectMany(t => t.Columns.Select(c => $"{t.Table}.{c}")).Order(StringComparer.Ordinal),
            stored.Select(v => $"{v.Table}.{v.Column}").Distinct().Order(StringComparer.Ordinal));
        Assert.All(stored, v => Assert.StartsWith(UserText.Prefix, v.Value, StringComparison.Ordinal));
        Assert.Equal(Phrases.Length, stored.Count);

        // The owner reads it all as before, through the API.
        using var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.Services.GetRequiredService<CoachTokenIssuer>().Issue(userId, email).AccessToken);
        var export = await http.GetStringAsync("/api/me/export");
        Assert.All(Phrases, phrase => Assert.Contains(phrase, export, StringComparison.Ordinal));
        var exported = System.Text.Json.Nodes.JsonNode.Parse(export)!;
        Assert.Equal(["plain-trigger gecko", "work"], exported["mood_checkins"]![0]!["triggers"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("plain-virtue-meta badger", (string?)exported["sessions"]![0]!["metadata"]!["virtue.description"]);
        Assert.Equal("plain-insight otter", (string?)exported["sessions"]![0]!["key_insights"]![0]!["insight"]);

        var dump = await EncryptionAtRestTests.PgDumpAsync(database);
        Assert.All(Phrases, phrase => Assert.DoesNotContain(phrase, dump, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("plain-", dump, StringComparison.OrdinalIgnoreCase);
        Assert.All(app.Logs!.GetSnapshot(), entry => Assert.DoesNotContain("plain-", entry.Message, StringComparison.Ordinal));

        // A second pass finds nothing and changes nothing.
        var again = await app.Services.GetRequiredService<PlaintextEncryption>().RunAsync().WaitAsync(Timeout);
        Assert.Equal(new PlaintextEncryptionResult(0, 0, 0), again);
        Assert.Equal(stored, await RawValuesAsync(database));
    }

    [Fact]
    public async Task Two_instances_at_once_encrypt_every_value_exactly_once_and_a_row_held_elsewhere_is_left_for_the_next_pass()
    {
        await using var database = await CoachTestDatabase.CreateAsync();
        var originals = new Dictionary<Guid, (Guid UserId, string Text)>();
        await using var owner = await database.OpenOwnerAsync();
        for (var u = 0; u < 6; u++)
        {
            var userId = await InsertPlainUserAsync(owner, $"two-{u}-{Guid.NewGuid():N}@example.com", messages: 5);
            foreach (var (id, text) in await RawMessagesAsync(owner, userId))
            {
                originals[id] = (userId, text);
            }
        }

        var settings = new Dictionary<string, string?> { ["DataProtection:EncryptPlaintextOnStart"] = "false", ["DataProtection:PlaintextBatchSize"] = "3" };
        await using var first = CoachApp.StartOn(database, settings);
        await using var second = CoachApp.StartOn(database, settings);

        // Switched off, the job did nothing at start.
        await first.Services.GetRequiredService<PlaintextEncryption>().ExecuteTask!.WaitAsync(Timeout);
        Assert.All(await RawMessagesAsync(owner, null), m => Assert.Equal(originals[m.Id].Text, m.Text));

        // A transaction that holds one row (an instance mid-batch, or one that died holding it) keeps it from both.
        var held = originals.Keys.First();
        await using var holder = await database.OpenOwnerAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM messages WHERE id = @id FOR UPDATE", holder, holding))
        {
            lockRow.Parameters.AddWithValue("id", held);
            await lockRow.ExecuteScalarAsync();
        }

        var passes = await Task.WhenAll(
            Task.Run(() => first.Services.GetRequiredService<PlaintextEncryption>().RunAsync()),
            Task.Run(() => second.Services.GetRequiredService<PlaintextEncryption>().RunAsync())).WaitAsync(Timeout);

        // Besides the messages, each session's metadata: '{}', the column's default for a row inserted by SQL.
        Assert.Equal(originals.Count - 1 + 6, passes.Sum(p => p.Values));
        var afterPasses = await RawMessagesAsync(owner, null);
        Assert.Equal(originals[held].Text, afterPasses.Single(m => m.Id == held).Text);
        await AssertEncryptedOnceAsync(database, originals, afterPasses.Where(m => m.Id != held));

        await holding.RollbackAsync();
        var resumed = await first.Services.GetRequiredService<PlaintextEncryption>().RunAsync().WaitAsync(Timeout);
        Assert.Equal(new PlaintextEncryptionResult(1, 1, 0), resumed);
        await AssertEncryptedOnceAsync(database, originals, await RawMessagesAsync(owner, null));
    }

    [Fact]
    public async Task An_erased_user_without_a_key_gets_no_new_key_and_their_plain_rows_are_left_and_reported_by_count()
    {
        await using var database = await CoachTestDatabase.CreateAsync();
        await using var owner = await database.OpenOwnerAsync();
        var erased = await InsertPlainUserAsync(owner, $"erased-{Guid.NewGuid():N}@example.com", messages: 2);
        var other = await InsertPlainUserAsync(owner, $"other-{Guid.NewGuid():N}@example.com", messages: 1);
        await using (var record = new NpgsqlCommand("INSERT INTO erased_users (id, erased_at) VALUES (@u, now())", owner))
        {
            record.Parameters.AddWithValue("u", erased);
            await record.ExecuteNonQueryAsync();
        }

        var before = await RawMessagesAsync(owner, erased);
        await using var app = CoachApp.StartOn(database, new Dictionary<string, string?> { ["DataProtection:EncryptPlaintextOnStart"] = "false" }, captureLogs: true);

        var result = await app.Services.GetRequiredService<PlaintextEncryption>().RunAsync().WaitAsync(Timeout);

        Assert.Equal(new PlaintextEncryptionResult(1, 2, 1), result);
        Assert.Equal(before, await RawMessagesAsync(owner, erased));
        Assert.All(await RawMessagesAsync(owner, other), m => Assert.StartsWith(UserText.Prefix, m.Text, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFiles(database.KeyRingPath, $"*{erased:N}*", SearchOption.AllDirectories));
        Assert.Null(app.Services.GetRequiredService<UserKeyRing>().Find(erased));
        var warning = Assert.Single(app.Logs!.GetSnapshot(), e => e.Id.Id == 4007);
        Assert.Equal($"Erased user {erased} has no key and 3 values stored before encryption at rest; they are left as they are: delete them", warning.Message);
    }

    /// <summary>A user's rows as the version before encryption at rest wrote them: plain text, jsonb, a text[] of triggers.</summary>
    private static async Task InsertAsOldVersionAsync(NpgsqlConnection owner, Guid userId, string email)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO users (id, email, name) VALUES (@u, @email, 'Old');
            INSERT INTO sessions (id, user_id, session_type, session_date, key_insights, suggested_goals, metadata)
                VALUES (@s, @u, 'face_to_face', current_date,
                    '[{"insight":"plain-insight otter","category":"pattern","importance":3}]',
                    '[{"category":"health","description":"plain-suggestion lynx","smart_goal":"Walk","timeframe":"1 week","priority":1}]',
                    '{"virtue.description":"plain-virtue-meta badger","prompt_version.session_summary":"v1"}');
            INSERT INTO messages (session_id, user_id, sequence_number, role, content) VALUES
                (@s, @u, 1, 'user', 'plain-zebra said this 1'), (@s, @u, 2, 'user', 'plain-zebra said this 2'),
                (@s, @u, 3, 'user', 'plain-zebra said this 3'), (@s, @u, 4, 'user', 'plain-zebra said this 4');
            INSERT INTO messages (session_id, user_id, sequence_number, role, content, heard_content, interrupted, actions)
                VALUES (@s, @u, 5, 'assistant', 'plain-coach pelican reply', 'plain-heard walrus', true,
                    '[{"function":"update_goal_progress","goal":"plain-action heron goal","progress_percentage":40}]');
            INSERT INTO personality_assessments (user_id, session_id, disc_type, enneagram_type, confidence, insights, assessment_transcript)
                VALUES (@u, @s, 'S', 2, 0.7, '["plain-assessment ibis"]', 'plain-transcript falcon');
            INSERT INTO goals (user_id, goal_text, smart_goal) VALUES (@u, 'plain-goal marmot', 'plain-smart marmot');
            INSERT INTO mood_checkins (user_id, mood, intensity, context, triggers) VALUES (@u, 'tired', 4, 'plain-mood-context newt', '{"plain-trigger gecko",work}');
            INSERT INTO virtues (user_id, name, description, first_session_id) VALUES (@u, 'patience', 'plain-virtue yak', @s);
            """, owner);
        command.Parameters.AddWithValue("u", userId);
        command.Parameters.AddWithValue("s", Guid.NewGuid());
        command.Parameters.AddWithValue("email", email);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A user with <paramref name="messages"/> plain messages on the current schema, as a row restored from an old backup would be.</summary>
    private static async Task<Guid> InsertPlainUserAsync(NpgsqlConnection owner, string email, int messages)
    {
        var userId = Guid.NewGuid();
        await using var command = new NpgsqlCommand("""
            INSERT INTO users (id, email) VALUES (@u, @email);
            INSERT INTO sessions (id, user_id, session_type, session_date) VALUES (@s, @u, 'face_to_face', current_date);
            INSERT INTO messages (session_id, user_id, sequence_number, role, content)
                SELECT @s, @u, n, 'user', 'plain words ' || n || ' of ' || @email FROM generate_series(1, @n) AS n;
            """, owner);
        command.Parameters.AddWithValue("u", userId);
        command.Parameters.AddWithValue("s", Guid.NewGuid());
        command.Parameters.AddWithValue("email", email);
        command.Parameters.AddWithValue("n", messages);
        await command.ExecuteNonQueryAsync();
        return userId;
    }

    private static async Task<List<(Guid Id, string Text)>> RawMessagesAsync(NpgsqlConnection owner, Guid? userId)
    {
        await using var command = new NpgsqlCommand("SELECT id, content FROM messages WHERE @u::uuid IS NULL OR user_id = @u ORDER BY id", owner);
        command.Parameters.AddWithValue("u", NpgsqlTypes.NpgsqlDbType.Uuid, (object?)userId ?? DBNull.Value);
        var rows = new List<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>Every value of every encrypted column of the model, raw.</summary>
    private static async Task<List<(string Table, string Column, string Value)>> RawValuesAsync(CoachTestDatabase database)
    {
        var values = new List<(string, string, string)>();
        await using var owner = await database.OpenOwnerAsync();
        foreach (var table in EncryptedColumn.All(Model(database)))
        {
            foreach (var column in table.Columns)
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT \"{column}\" FROM \"{table.Table}\" WHERE \"{column}\" IS NOT NULL ORDER BY \"{table.KeyColumn}\"", owner);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    values.Add((table.Table, column, reader.GetString(0)));
                }
            }
        }

        return values;
    }

    private static Microsoft.EntityFrameworkCore.Metadata.IModel Model(CoachTestDatabase database)
    {
        using var db = database.Get<IDbContextFactory<CoachDbContext>>().CreateDbContext();
        return db.Model;
    }

    /// <summary>Each value decrypts, with its owner's key, to the original text: encrypted once, not twice, and not lost.</summary>
    private static async Task AssertEncryptedOnceAsync(
        CoachTestDatabase database, Dictionary<Guid, (Guid UserId, string Text)> originals, IEnumerable<(Guid Id, string Text)> stored)
    {
        foreach (var (id, value) in stored)
        {
            Assert.StartsWith(UserText.Prefix, value, StringComparison.Ordinal);
            var (userId, text) = originals[id];
            var read = await database.Get<CoachDatabase>().ForUserAsync(userId, _ => Task.FromResult(EncryptedColumn.Unprotect(value)));
            Assert.Equal(text, read);
        }
    }

    private static async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> WaitForLogAsync(CoachApp app, int eventId)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (app.Logs!.GetSnapshot().FirstOrDefault(e => e.Id.Id == eventId) is { } found)
            {
                return found;
            }

            var failed = app.Logs.GetSnapshot().FirstOrDefault(e => e.Id.Id == 4008);
            Assert.True(failed is null, $"the plaintext job failed: {failed?.Message} {failed?.Exception}");
            await Task.Delay(100, timeout.Token);
        }
    }
}
