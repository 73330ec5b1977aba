using System.Diagnostics;
using CoachService.Cli.Recordings;

namespace CoachService.Cli.Replay;

/// <summary>
/// What the replay is compared with: the recording itself, another prompts folder, or the prompts folder
/// at a git revision (extracted with <c>git show</c> into a temporary folder, deleted afterwards).
/// </summary>
public sealed class BaselinePrompts : IDisposable
{
    public const string Recording = "recording";

    private readonly string? _temporary;

    private BaselinePrompts(string label, string? folder, string? temporary)
    {
        Label = label;
        Folder = folder;
        _temporary = temporary;
    }

    /// <summary>How the report names the baseline.</summary>
    public string Label { get; }

    /// <summary>The baseline's prompts folder; null for the recording itself.</summary>
    public string? Folder { get; }

    /// <exception cref="InputFileException">The baseline is none of the three.</exception>
    public static async Task<BaselinePrompts> ResolveAsync(string baseline, string promptsFolder, CancellationToken cancellationToken)
    {
        if (string.Equals(baseline, Recording, StringComparison.OrdinalIgnoreCase))
        {
            return new BaselinePrompts("the recording", null, null);
        }

        if (Directory.Exists(baseline))
        {
            return new BaselinePrompts($"the prompts folder {baseline}", Path.GetFullPath(baseline), null);
        }

        var prompts = Path.GetFullPath(promptsFolder);
        var (rootOk, root) = await GitAsync(prompts, ["rev-parse", "--show-toplevel"], cancellationToken);
        var (revOk, commit) = rootOk ? await GitAsync(prompts, ["rev-parse", "--verify", "--quiet", baseline + "^{commit}"], cancellationToken) : (false, "");
        if (!revOk)
        {
            throw new InputFileException("--baseline", "baseline",
                $"'recording', a prompts folder, or a git revision of the repository holding {prompts} ('{baseline}' is none of these)");
        }

        root = root.Trim();
        var relative = Path.GetRelativePath(root, prompts).Replace('\\', '/');
        var (_, listing) = await GitAsync(root, ["ls-tree", "-r", "--name-only", commit.Trim(), "--", relative], cancellationToken);
        var temporary = Directory.CreateTempSubdirectory("coach-baseline-").FullName;
        var folder = Path.Combine(temporary, "prompts");
        Directory.CreateDirectory(folder);
        foreach (var file in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(f => f.EndsWith(".prompty", StringComparison.Ordinal)))
        {
            var (ok, content) = await GitAsync(root, ["show", $"{commit.Trim()}:{file}"], cancellationToken);
            if (ok)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, Path.GetFileName(file)), content, cancellationToken);
            }
        }

        return new BaselinePrompts($"git {baseline} ({commit.Trim()[..Math.Min(10, commit.Trim().Length)]})", folder, temporary);
    }

    public void Dispose()
    {
        if (_temporary is not null && Directory.Exists(_temporary))
        {
            Directory.Delete(_temporary, recursive: true);
        }
    }

    private static async Task<(bool Ok, string Output)> GitAsync(string folder, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await errors;
            return (process.ExitCode == 0, await output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (false, ""); // no git on this machine
        }
    }
}
