using System.Text.Json;
using CoachService.Cli.Recordings;
using CoachService.Testing;
using CoachService.Tests.Conversations;

namespace CoachService.Tests.Cli;

/// <summary>The prompt author's loop: record a stored session, edit a prompt, replay, read the report.</summary>
public sealed class RecordReplayLoopTests
{
    [Fact]
    public async Task Record_a_stored_session_then_only_the_calls_an_edited_prompt_feeds_run_again()
    {
        using var folder = new TemporaryFolder();
        string owner, app, keyRing;
        Guid sessionId;
        await using (var harness = await ConversationHarness.StartAsync())
        {
            await using var ana = await harness.ConnectAsync("ana.loop@example.com", "Ana");
            var session = await ana.StartSessionAsync("written_clarity", "warm_friend");
            sessionId = session.SessionId;
            await ana.TalkAsync(session.SessionId, "t1", "My name is Ana and work has been too much this week; mail me at ana.loop@example.com.");
            await ana.TalkAsync(session.SessionId, "t2", "Maybe I could protect my mornings for deep work.");
            await CoachClient.WaitForAsync(() => ana.Emotions.Count >= 2 ? ana.Emotions : null);
            await ana.InvokeAsync<CoachService.Conversations.SessionSummary>("EndSession", session.SessionId);
            (owner, app) = (harness.App.Database.Connections.Owner, harness.App.Database.Connections.App);
            keyRing = harness.App.Database.KeyRingPath;

            var recorded = await CoachTool.RunAsync("record", "--user", "ana.loop@example.com", "--session", sessionId.ToString(),
                "--connection", owner, "--app-connection", app, "--set", $"DataProtection:KeyRingPath={keyRing}",
                "--out", folder.Combine("recordings"), "--scrub");
            Assert.True(recorded.ExitCode == 0, recorded.Error);
        }

        var file = Assert.Single(Directory.GetFiles(folder.Combine("recordings"), "*.json"));
        var recording = RecordingFiles.Read(file);
        Assert.Equal(ConversationRecording.CurrentSchemaVersion, recording.SchemaVersion);
        Assert.Equal(sessionId, recording.Source!.SessionId);
        Assert.True(recording.Source.Scrubbed);
        Assert.Equal(2, recording.Turns.Count);
        Assert.Equal("That sounds like a full week. What would help most right now? Let us find one small step together.", recording.Turns[0].Reply);
        Assert.Equal("fake-model", recording.Turns[0].Model);
        Assert.True(recording.Turns[0].PromptVersions.ContainsKey("coach_reply"));
        Assert.Equal(64, recording.Turns[0].PromptHashes["coach_reply"].Length);
        Assert.Equal("hopeful", recording.Turns[0].Snapshot!.Value.GetProperty("emotions")[0].GetProperty("emotion").GetString());
        Assert.Equal("courage", recording.Turns[1].Summary!.Value.GetProperty("virtue").GetProperty("name").GetString());
        Assert.Equal("2 weeks", recording.Turns[1].Goals!.Value.GetProperty("goals")[0].GetProperty("timeframe").GetString());
        // Scrubbed: the name and address are stand-ins, the same ones everywhere, and the sentence still reads.
        var text = File.ReadAllText(file);
        Assert.DoesNotContain("Ana", text);
        Assert.DoesNotContain("ana.loop@example.com", text);
        Assert.StartsWith("My name is Alex and work has been too much", recording.Turns[0].User);
        Assert.Contains("person1@example.com", recording.Turns[0].User);
        Assert.Equal("Alex", recording.User.Name);

        // Replay with the offline engine: every call misses the empty cache.
        var prompts = CoachTool.CopyPrompts(folder);
        var first = await CoachTool.ReplayAsync(folder, folder.Combine("recordings"), "--prompts", prompts);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var calls = Misses(first);
        Assert.Equal(0, Hits(first));
        // Two turns of reply, safety screen and snapshot, then the session's summary and goal suggestions.
        Assert.Equal(2 * 3 + 2, calls);
        var firstReport = await File.ReadAllTextAsync(folder.Combine("report", "report.md"));

        // Unchanged prompts: no call reaches the engine and the results are the same.
        var second = await CoachTool.ReplayAsync(folder, folder.Combine("recordings"), "--prompts", prompts);
        Assert.Equal((calls, 0), (Hits(second), Misses(second)));
        Assert.Equal(WithoutFigures(firstReport), WithoutFigures(await File.ReadAllTextAsync(folder.Combine("report", "report.md"))));

        // One prompt edited: only its calls (one snapshot a turn) run again, and the report names the change.
        CoachTool.EditPrompt(prompts, "emotional_snapshot", "Name at most three emotions.");
        var third = await CoachTool.ReplayAsync(folder, folder.Combine("recordings"), "--prompts", prompts);
        Assert.Equal((calls - 2, 2), (Hits(third), Misses(third)));
        Assert.Contains("prompt emotional_snapshot", third.Output);
        Assert.Contains("turn 1:", third.Output);
        Assert.True(File.Exists(folder.Combine("report", "report.html")));

        // --no-cache: everything goes to the engine again.
        var uncached = await CoachTool.ReplayAsync(folder, folder.Combine("recordings"), "--prompts", prompts, "--no-cache");
        Assert.Equal((0, calls), (Hits(uncached), Misses(uncached)));
    }

    private static int Hits(CoachTool.Run run) => Totals(run)[5];

    private static int Misses(CoachTool.Run run) => Totals(run)[6];

    /// <summary>The totals row of the Markdown summary: conversations, turns, changed, failed, regressions, hits, misses.</summary>
    private static int[] Totals(CoachTool.Run run)
    {
        var row = run.Output.Split('\n').First(l => l.StartsWith("| ", StringComparison.Ordinal) && char.IsAsciiDigit(l[2]));
        return [.. row.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(7).Select(int.Parse)];
    }

    /// <summary>The report without the totals row (cache counts and latency differ between runs by design).</summary>
    private static string WithoutFigures(string markdown) =>
        string.Join('\n', markdown.Split('\n').Where(l => !(l.StartsWith("| ", StringComparison.Ordinal) && l.Length > 2 && char.IsAsciiDigit(l[2]))));
}
