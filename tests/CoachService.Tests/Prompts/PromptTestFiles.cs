using System.Text;
using CoachService.Prompts;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoachService.Tests.Prompts;

/// <summary>Where the repository's prompts are, and a small valid prompt to break in tests.</summary>
internal static class PromptTestFiles
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static string RepositoryPrompts { get; } = FindRepositoryPrompts();

    public static PromptLibrary RepositoryLibrary() => new(RepositoryPrompts, NullLogger<PromptLibrary>.Instance);

    /// <summary>A valid prompt; line 20 is "{{#each goals}}" and line 26 is "{{message}}".</summary>
    public const string Minimal = """
        ---
        name: coach_reply
        description: Test prompt.
        model:
          parameters:
            temperature: 0.5
        inputs:
          goals:
            type: array
            description: Goals.
            sample: [walk daily, sleep earlier]
          message:
            type: string
            source: user
            description: The message.
            sample: hi
        ---
        system:
        Be kind.
        {{#each goals}}
        - {{this}}
        {{/each}}

        user:
        Message:
        {{message}}
        """;

    public static PromptTemplate Parse(string text, string file = "prompts/coach_reply.prompty") =>
        PromptyFile.Parse(Encoding.UTF8.GetBytes(text), file);

    /// <summary>A copy of the repository's prompts in a fresh temporary folder.</summary>
    public static string CopyToTemporaryFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "coach-prompts-" + Guid.NewGuid().ToString("N"), "prompts");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(RepositoryPrompts, "*" + PromptyFile.Extension))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }

    private static string FindRepositoryPrompts()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CoachService.sln")))
            {
                return Path.Combine(directory.FullName, "prompts");
            }
        }

        throw new InvalidOperationException("The repository root (CoachService.sln) was not found above " + AppContext.BaseDirectory);
    }
}
