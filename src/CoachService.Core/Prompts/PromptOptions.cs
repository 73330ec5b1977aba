using System.ComponentModel.DataAnnotations;

namespace CoachService.Prompts;

/// <summary>Where the prompt files live and whether edits are picked up while the service runs.</summary>
public sealed class PromptOptions
{
    public const string SectionName = "Prompts";

    /// <summary>
    /// The folder of <c>.prompty</c> files; relative paths are relative to the content root. When
    /// unset, the nearest <c>prompts</c> folder with .prompty files above the content root is used
    /// (the repository's prompts/ under <c>dotnet run</c>), else <c>{AppContext.BaseDirectory}/prompts</c>.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Reload edited files while running. Unset means: on in Development, off elsewhere.</summary>
    public bool? WatchForChanges { get; set; }

    /// <summary>How long the folder must be quiet after a change before files are reloaded.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The folder to load, following the rules of <see cref="Path"/>.</summary>
    public string ResolveDirectory(string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(Path))
        {
            return System.IO.Path.GetFullPath(Path, contentRoot);
        }

        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "prompts");
            if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*" + PromptyFile.Extension).Any())
            {
                return candidate;
            }
        }

        return System.IO.Path.Combine(AppContext.BaseDirectory, "prompts");
    }
}
