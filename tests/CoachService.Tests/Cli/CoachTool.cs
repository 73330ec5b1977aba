using CoachService.Cli;
using CoachService.Testing;

namespace CoachService.Tests.Cli;

/// <summary>The coach tool run in-process, as a user runs it, with its output captured.</summary>
internal static class CoachTool
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    public sealed record Run(int ExitCode, string Output, string Error);

    public static async Task<Run> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CoachCli.RunAsync(args, output, error).WaitAsync(Timeout);
        return new Run(code, output.ToString(), error.ToString());
    }

    /// <summary>Replays with the offline engine, a cache folder and a report folder of the test.</summary>
    public static Task<Run> ReplayAsync(TemporaryFolder folder, params string[] args) =>
        RunAsync(["replay", .. args, "--cache", folder.Combine("cache"), "--report", folder.Combine("report"),
            "--set", "Llm:Provider=offline", "--set", "Llm:Offline:WordDelay=00:00:00"]);

    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CoachService.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("No CoachService.sln above the test folder.");
    }

    /// <summary>A copy of the repository's prompts/ that a test may edit.</summary>
    public static string CopyPrompts(TemporaryFolder folder, string name = "prompts")
    {
        var target = folder.Combine(name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "prompts"), "*.prompty"))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    public static string Samples => Path.Combine(RepositoryRoot(), "recordings", "samples");

    /// <summary>Adds a sentence to a prompt's system text: a new prompt version, as a prompt author's edit makes.</summary>
    public static void EditPrompt(string prompts, string task, string sentence)
    {
        var file = Path.Combine(prompts, task + ".prompty");
        var text = File.ReadAllText(file);
        var at = text.IndexOf("system:\n", StringComparison.Ordinal) + "system:\n".Length;
        File.WriteAllText(file, text[..at] + sentence + "\n" + text[at..]);
    }
}
