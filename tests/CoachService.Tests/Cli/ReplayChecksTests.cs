using System.Diagnostics;
using CoachService.Cli;
using CoachService.Testing;

namespace CoachService.Tests.Cli;

public sealed class ReplayChecksTests
{
    [Fact]
    public async Task The_shipped_samples_replay_cleanly_with_the_offline_engine()
    {
        using var folder = new TemporaryFolder();
        var run = await CoachTool.ReplayAsync(folder, CoachTool.Samples, "--prompts", Path.Combine(CoachTool.RepositoryRoot(), "prompts"));

        Assert.True(run.ExitCode == CoachCli.Success, run.Output + run.Error);
        Assert.Contains("| 10 | 29 |", run.Output);
        Assert.DoesNotContain("## Failed checks", run.Output);
        Assert.DoesNotContain("## Regressions", run.Output);
        // The rubric needs a model: skipped, and the report says why.
        Assert.Contains("reply_rubric.prompty skipped: the provider is offline", run.Output);
        var html = await File.ReadAllTextAsync(folder.Combine("report", "report.html"));
        Assert.Contains("crisis-turn", html);
        Assert.Contains("safety_reply: passed", html);
        Assert.Contains("tool_call: passed", html);
        Assert.Contains("profile_stable", html);
    }

    [Fact]
    public async Task A_failing_check_exits_non_zero_and_names_the_conversation_and_turn()
    {
        using var folder = new TemporaryFolder();
        var checks = folder.Combine("checks.yaml");
        await File.WriteAllTextAsync(checks, """
            schemaVersion: 1
            suite: [schema_valid]
            conversations:
              wise-mentor-career-change:
                turns:
                  2:
                    - tool_call: { expect: goals.record_goal_progress }
            """);

        var run = await CoachTool.ReplayAsync(folder, Path.Combine(CoachTool.Samples, "wise-mentor-career-change.json"), Path.Combine(CoachTool.Samples, "crisis-turn.json"),
            "--checks", checks, "--prompts", Path.Combine(CoachTool.RepositoryRoot(), "prompts"));

        Assert.Equal(CoachCli.ChecksFailed, run.ExitCode);
        Assert.Contains("- `wise-mentor-career-change` turn 2: tool_call failed: expected a call of goals.record_goal_progress; got no tool call", run.Output);
        Assert.DoesNotContain("`crisis-turn` turn", run.Output.Split("## Changes")[0]);

        // The same failure on the baseline is no regression: --fail-on-regression lets it pass.
        var gate = await CoachTool.ReplayAsync(folder, Path.Combine(CoachTool.Samples, "wise-mentor-career-change.json"),
            "--checks", checks, "--prompts", Path.Combine(CoachTool.RepositoryRoot(), "prompts"), "--fail-on-regression");
        Assert.True(gate.ExitCode == CoachCli.Success, gate.Output);
    }

    [Fact]
    public async Task Baseline_at_a_git_revision_replays_the_prompts_of_that_revision()
    {
        using var folder = new TemporaryFolder();
        var repository = folder.Combine("repo");
        Directory.CreateDirectory(repository);
        var prompts = CoachTool.CopyPrompts(folder, Path.Combine("repo", "prompts"));
        Git(repository, "init", "--quiet");
        Git(repository, "add", "prompts");
        Git(repository, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "prompts");
        CoachTool.EditPrompt(prompts, "coach_reply", "Keep every reply under four sentences.");

        var run = await CoachTool.ReplayAsync(folder, Path.Combine(CoachTool.Samples, "gentle-guide-sleep.json"), "--prompts", prompts, "--baseline", "HEAD");

        Assert.True(run.ExitCode == CoachCli.Success, run.Output + run.Error);
        Assert.Contains("against git HEAD (", run.Output);
        // Both sides replayed: the coach reply's prompt version differs, the other prompts do not.
        Assert.Contains("`gentle-guide-sleep` turn 1: prompt coach_reply", run.Output);
        Assert.DoesNotContain("prompt emotional_snapshot", run.Output);

        var bad = await CoachTool.ReplayAsync(folder, Path.Combine(CoachTool.Samples, "gentle-guide-sleep.json"), "--prompts", prompts, "--baseline", "no-such-revision");
        Assert.Equal(CoachCli.BadInput, bad.ExitCode);
        Assert.Contains("'no-such-revision' is none of these", bad.Error);
    }

    [Fact]
    public async Task A_prompt_missing_now_fails_that_conversation_and_the_others_still_run()
    {
        using var folder = new TemporaryFolder();
        var prompts = CoachTool.CopyPrompts(folder);
        File.Delete(Path.Combine(prompts, "assessment_scoring.prompty"));

        var run = await CoachTool.ReplayAsync(folder, Path.Combine(CoachTool.Samples, "onboarding-first-steps.json"), Path.Combine(CoachTool.Samples, "gentle-guide-sleep.json"),
            "--prompts", prompts);

        Assert.Equal(CoachCli.ChecksFailed, run.ExitCode);
        Assert.Contains("- `onboarding-first-steps`: the recording needs prompt(s) assessment_scoring, missing from", run.Output);
        Assert.Contains("✓ gentle-guide-sleep: 3 turn(s)", run.Output);
    }

    [Fact]
    public async Task Repeat_samples_each_turn_and_reports_how_stable_the_outputs_are()
    {
        using var folder = new TemporaryFolder();
        var sample = Path.Combine(CoachTool.Samples, "gentle-guide-sleep.json");
        var prompts = Path.Combine(CoachTool.RepositoryRoot(), "prompts");

        var run = await CoachTool.ReplayAsync(folder, sample, "--prompts", prompts, "--repeat", "2");

        Assert.True(run.ExitCode == CoachCli.Success, run.Output + run.Error);
        // The offline engine is deterministic: both samples agree on every turn.
        Assert.Contains("3 of 3 turn(s) gave the same outputs in all 2 samples.", run.Output);
        Assert.Contains("| 0 | 18 |", run.Output);
        var again = await CoachTool.ReplayAsync(folder, sample, "--prompts", prompts, "--repeat", "2");
        Assert.Contains("| 18 | 0 |", again.Output);
    }

    [Fact]
    public async Task An_interrupted_run_reports_what_finished_and_leaves_no_partial_cache_entry()
    {
        using var folder = new TemporaryFolder();
        using var interrupt = new CancellationTokenSource();
        await interrupt.CancelAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CoachCli.RunAsync(
            ["replay", Path.Combine(CoachTool.Samples, "gentle-guide-sleep.json"), "--prompts", Path.Combine(CoachTool.RepositoryRoot(), "prompts"),
                "--cache", folder.Combine("cache"), "--report", folder.Combine("report"), "--set", "Llm:Offline:WordDelay=00:00:00"],
            output, error, interrupt.Token).WaitAsync(CoachTool.Timeout);

        Assert.Equal(CoachCli.Interrupted, code);
        Assert.Contains("interrupted: 0 of 1 conversation(s) finished", error.ToString());
        Assert.Contains("**Interrupted**", output.ToString());
        Assert.True(File.Exists(folder.Combine("report", "report.html")));
        Assert.Empty(Directory.Exists(folder.Combine("cache")) ? Directory.GetFiles(folder.Combine("cache"), "*.tmp", SearchOption.AllDirectories) : []);
    }

    [Theory]
    [InlineData("""{"schemaVersion": 2, "id": "x", "session": {"type": "written_clarity", "persona": "warm_friend", "language": "en", "voice": false, "completed": false}, "user": {}, "turns": []}""", "$.schemaVersion: expected 1")]
    [InlineData("""{"schemaVersion": 1, "id": "x", "session": {"type": "chat", "persona": "warm_friend", "language": "en", "voice": false, "completed": false}, "user": {}, "turns": [{"turn": 1, "user": "hi", "reply": ""}]}""", "$.session.type: expected one of face_to_face")]
    [InlineData("""{"schemaVersion": 1, "id": "x", "session": {"type": "written_clarity", "persona": "warm_friend", "language": "en", "voice": false, "completed": false}, "user": {}, "turns": [{"turn": 1, "user": "hi", "reply": 7}]}""", "$.turns[0].reply: expected")]
    [InlineData("""{"schemaVersion": 1, "id": "x", "session": {"type": "written_clarity", "persona": "warm_friend", "language": "en", "voice": false, "completed": false}, "user": {}, "turns": [{"turn": 2, "user": "hi", "reply": ""}]}""", "$.turns[0].turn: expected 1")]
    public async Task A_malformed_recording_names_the_file_the_field_and_what_was_expected(string json, string expected)
    {
        using var folder = new TemporaryFolder();
        var file = folder.Combine("broken.json");
        await File.WriteAllTextAsync(file, json);

        var run = await CoachTool.ReplayAsync(folder, file, "--prompts", Path.Combine(CoachTool.RepositoryRoot(), "prompts"));

        Assert.Equal(CoachCli.BadInput, run.ExitCode);
        Assert.Contains(file, run.Error);
        Assert.Contains(expected, run.Error);
    }

    [Theory]
    [InlineData("schemaVersion: 1\nsuite: [schema_valid, max_words]\n", "suite[1]: expected a check name: one of schema_valid")]
    [InlineData("schemaVersion: 1\nsuite:\n  - tool_call: {}\n", "suite[0].tool_call: expected expect: TOOL or forbid: TOOL")]
    [InlineData("schemaVersion: 1\nconversations:\n  x:\n    turns:\n      two: [schema_valid]\n", "conversations.x.turns: expected a whole number")]
    [InlineData("schemaVersion: 1\nsuite:\n  - max_questions: { max: many }\n", "max: expected a whole number")]
    public async Task A_malformed_checks_file_names_the_file_the_field_and_what_was_expected(string yaml, string expected)
    {
        using var folder = new TemporaryFolder();
        var checks = folder.Combine("checks.yaml");
        await File.WriteAllTextAsync(checks, yaml);

        var run = await CoachTool.ReplayAsync(folder, Path.Combine(CoachTool.Samples, "crisis-turn.json"), "--checks", checks,
            "--prompts", Path.Combine(CoachTool.RepositoryRoot(), "prompts"));

        Assert.Equal(CoachCli.BadInput, run.ExitCode);
        Assert.Contains(checks, run.Error);
        Assert.Contains(expected, run.Error);
    }

    private static void Git(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        git.WaitForExit(30_000);
        Assert.True(git.ExitCode == 0, git.StandardError.ReadToEnd());
    }
}
