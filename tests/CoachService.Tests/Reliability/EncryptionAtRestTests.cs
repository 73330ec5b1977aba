using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Persistence.Embedded;
using CoachService.Privacy.Encryption;
using CoachService.Tests.Conversations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoachService.Tests.Reliability;

/// <summary>
/// Conversation text at rest: what a raw copy of the database holds after real turns, and what is
/// left of a user's text once they are erased (docs/decisions/encryption-at-rest.md).
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class EncryptionAtRestTests
{
    // Phrases no template, prompt or seed contains, so finding one in a dump can only mean it leaked.
    private const string UserPhrase = "the zebra-lantern dream keeps me awake";
    private const string OnboardingPhrase = "my marimba-tunnel manager";
    private const string CoachPhrase = "the quokka-harbour walk sounds hopeful";
    private const string MoodPhrase = "after the saffron-kettle call";
    private const string TriggerPhrase = "the cobalt-umbrella commute";

    [Fact]
    public async Task A_pg_dump_after_real_turns_holds_no_plaintext_conversation_while_the_owner_reads_it_all()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Coaching:AssessmentAnswers"] = "2" });
        harness.CoachReply = _ => Testing.FakeResponse.Reply($"I hear you: {CoachPhrase}. What is one small step?");
        await using var ana = await harness.ConnectAsync($"dump-{Guid.NewGuid():N}@example.com", "Ana");

        // Onboarding stores the assessment transcript and insights; a session stores messages, insights and suggestions.
        var onboarding = await ana.StartSessionAsync("onboarding_assessment");
        await ana.TalkAsync(onboarding.SessionId, "o1", $"Work is hard with {OnboardingPhrase}.");
        await ana.TalkAsync(onboarding.SessionId, "o2", "I want to walk more.");
        await CoachClient.WaitForAsync(() => ana.Onboarded.FirstOrDefault());
        await ana.InvokeAsync<SessionSummary>("EndSession", onboarding.SessionId);
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", $"Lately {UserPhrase}.");
        await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);
        using var http = Authorized(harness, ana);
        (await http.PostAsJsonAsync($"/api/sessions/{session.SessionId}/suggested-goals/0/accept", new { })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/mood-checkins", new { mood = "anxious", intensity = 6, context = MoodPhrase, triggers = new[] { TriggerPhrase } })).EnsureSuccessStatusCode();

        var export = await http.GetStringAsync("/api/me/export");
        // The virtue's description is the summary's sentence about the user, kept in the collection.
        var virtueDescription = (string?)JsonNode.Parse(export)!["virtues"]![0]!["description"];
        Assert.False(string.IsNullOrWhiteSpace(virtueDescription));
        var phrases = new[] { UserPhrase, OnboardingPhrase, CoachPhrase, MoodPhrase, TriggerPhrase, virtueDescription!, "Saying no protects the mornings.", "Walk before work", "Drives towards results." };
        Assert.All(phrases, phrase => Assert.Contains(phrase, export, StringComparison.Ordinal));
        var detail = await http.GetStringAsync($"/api/sessions/{session.SessionId}");
        Assert.Contains(UserPhrase, detail, StringComparison.Ordinal);
        Assert.Contains(CoachPhrase, detail, StringComparison.Ordinal);

        var dump = await PgDumpAsync(harness.App.Database);

        Assert.Contains(ana.UserId.ToString(), dump, StringComparison.Ordinal);
        Assert.Contains(UserText.Prefix, dump, StringComparison.Ordinal);
        Assert.All(phrases, phrase => Assert.DoesNotContain(phrase, dump, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("zebra-lantern", dump, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_new_users_key_is_made_when_the_account_is_so_their_first_turn_does_not_write_it()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync($"first-key-{Guid.NewGuid():N}@example.com");
        var options = harness.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EncryptionOptions>>().Value;
        var file = Path.Combine(options.UserKeysFolder, ana.UserId.ToString("N") + ".key");

        // Signed in, nothing said yet: the key is on disk already.
        Assert.True(File.Exists(file), $"no key file at sign-in: {file}");
        var written = File.GetLastWriteTimeUtc(file);
        var atSignIn = harness.App.Services.GetRequiredService<UserKeyRing>().Find(ana.UserId)!;

        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", $"Lately {UserPhrase}.");

        // The turn encrypted with that key and did not write another.
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        var stored = await RawContentsAsync(harness.App.Database, ana.UserId);
        Assert.Contains(stored, value => UserText.Decrypt(atSignIn, value).Contains(UserPhrase, StringComparison.Ordinal));
    }

    [Fact]
    public void A_folders_entries_are_flushed_and_a_folder_that_cannot_be_opened_is_named()
    {
        var folder = Directory.CreateTempSubdirectory("coach-durable-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "a.key"), "x");
            DurableFolder.Sync(folder);

            var missing = Path.Combine(folder, "missing");
            var error = Assert.Throws<IOException>(() => DurableFolder.Sync(missing));
            Assert.Contains(missing, error.Message, StringComparison.Ordinal);
            Assert.Contains("errno 2", error.Message, StringComparison.Ordinal); // ENOENT, read from the call itself
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Erasing_a_user_destroys_their_key_so_ciphertext_copied_before_can_no_longer_be_decrypted()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync($"shred-{Guid.NewGuid():N}@example.com");
        await using var ben = await harness.ConnectAsync($"shred-ben-{Guid.NewGuid():N}@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", $"Lately {UserPhrase}.");
        var benSession = await ben.StartSessionAsync();
        await ben.TalkAsync(benSession.SessionId, "t1", "Ben's own words.");

        // The copy an attacker or a backup keeps: the raw rows and a whole dump, taken before the erasure.
        var copied = await RawContentsAsync(harness.App.Database, ana.UserId);
        var dumpBefore = await PgDumpAsync(harness.App.Database);
        Assert.Equal(2, copied.Count);
        Assert.All(copied, value => Assert.StartsWith(UserText.Prefix, value, StringComparison.Ordinal));
        var keys = harness.App.Services.GetRequiredService<UserKeyRing>();
        var keyBefore = keys.Find(ana.UserId)!;
        Assert.Contains(copied, value => UserText.Decrypt(keyBefore, value).Contains(UserPhrase, StringComparison.Ordinal));
        Assert.DoesNotContain(UserPhrase, dumpBefore, StringComparison.Ordinal);

        using var http = Authorized(harness, ana);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/me")).StatusCode);

        // No key is left anywhere the service keeps them, nor in a ring started afresh on the same folders.
        Assert.Null(keys.Find(ana.UserId));
        using (var fresh = new ServiceCollection().AddLogging()
            .AddCoachEncryption(harness.App.Database.Encryption).BuildServiceProvider())
        {
            Assert.Null(fresh.GetRequiredService<UserKeyRing>().Find(ana.UserId));
            Assert.NotNull(fresh.GetRequiredService<UserKeyRing>().Find(ben.UserId));
        }

        Assert.Empty(Directory.EnumerateFiles(harness.App.Database.KeyRingPath, $"*{ana.UserId:N}*", SearchOption.AllDirectories));
        Assert.DoesNotContain(ana.UserId.ToString("N"), dumpBefore, StringComparison.OrdinalIgnoreCase);

        // Every key that still exists fails on the copied ciphertext, as does the service reading it for Ana.
        var benKey = keys.Find(ben.UserId)!;
        Assert.All(copied, value => Assert.Throws<UserTextUnreadableException>(() => UserText.Decrypt(benKey, value)));
        await Assert.ThrowsAsync<UserTextUnreadableException>(() => harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            _ => Task.FromResult(EncryptedColumn.Unprotect(copied[0]))));
    }

    private static HttpClient Authorized(ConversationHarness harness, CoachClient user)
    {
        var http = harness.App.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return http;
    }

    private static async Task<List<string>> RawContentsAsync(Testing.CoachTestDatabase database, Guid userId)
    {
        await using var owner = await database.OpenOwnerAsync();
        await using var command = new NpgsqlCommand("SELECT content FROM messages WHERE user_id = @u ORDER BY sequence_number", owner);
        command.Parameters.AddWithValue("u", userId);
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>pg_dump beside the server programs the tests run, or beside the files those link to.</summary>
    private static string PgDumpProgram()
    {
        var postgres = PostgresBinaries.Locate(null, "").PathOf("postgres");
        var real = File.ResolveLinkTarget(postgres, returnFinalTarget: true)?.FullName ?? postgres;
        var candidates = new[] { Path.GetDirectoryName(postgres)!, Path.GetDirectoryName(real)! }
            .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.EnumerateDirectories("/usr/lib/postgresql").Order().Reverse().Select(d => Path.Combine(d, "bin")) : [])
            .Select(folder => Path.Combine(folder, "pg_dump"));
        return candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("pg_dump is not installed beside the PostgreSQL server programs.");
    }

    /// <summary>The whole database as plain SQL, from the local pg_dump, as an operator's backup would be.</summary>
    internal static async Task<string> PgDumpAsync(Testing.CoachTestDatabase database)
    {
        var owner = new NpgsqlConnectionStringBuilder(database.Connections.Owner);
        var info = new ProcessStartInfo(PgDumpProgram())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "--host", owner.Host!, "--port", owner.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--username", owner.Username!, "--dbname", owner.Database!, "--no-password" },
        };
        info.Environment["PGPASSWORD"] = owner.Password ?? "";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == 0, $"pg_dump failed: {await error}");
        var dump = await output;
        Assert.Contains("COPY public.messages", dump, StringComparison.Ordinal);
        return dump;
    }
}
