using System.Diagnostics;
using CoachService.Persistence.Embedded;

namespace CoachService.Testing;

/// <summary>
/// A fresh folder under the system temp folder (/tmp/coach-tests-…), deleted on dispose. It is
/// created traversable by others, because a root test run hands PostgreSQL folders to the
/// <c>postgres</c> account. Folders (and servers) left by killed test runs are swept away by the
/// next run.
/// </summary>
public sealed class TemporaryFolder : IDisposable
{
    private const string NamePrefix = "coach-tests-";
    private const string OwnerFileName = ".owner-pid";

    private static readonly Lazy<bool> LeftoversSwept = new(SweepLeftovers);

    public TemporaryFolder()
    {
        _ = LeftoversSwept.Value;
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), NamePrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);
        }

        File.WriteAllText(Combine(OwnerFileName), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => Delete(Path);

    /// <summary>
    /// Deletes the folder from a separate <c>rm</c> process, for process exit: the test host is
    /// killed before it could delete a cluster's thousand files itself.
    /// </summary>
    public void DisposeInBackground()
    {
        if (OperatingSystem.IsWindows())
        {
            Dispose();
            return;
        }

        using var remover = Process.Start(new ProcessStartInfo("rm") { ArgumentList = { "-rf", "--", Path }, UseShellExecute = false });
    }

    /// <summary>Removes folders whose test process is gone, stopping any server still running in them.</summary>
    private static bool SweepLeftovers()
    {
        foreach (var folder in Directory.EnumerateDirectories(System.IO.Path.GetTempPath(), NamePrefix + "*"))
        {
            var ownerFile = System.IO.Path.Combine(folder, OwnerFileName);
            if (!File.Exists(ownerFile)
                || !int.TryParse(File.ReadAllText(ownerFile), out var owner)
                || ProcessState.IsRunning(owner))
            {
                continue;
            }

            foreach (var dataDirectory in Directory.EnumerateDirectories(folder))
            {
                if (PostmasterLockFile.ReadPid(dataDirectory) is { } pid && PostmasterLockFile.IsServerFor(pid, dataDirectory))
                {
                    ImmediateShutdown.Stop(pid);
                }
            }

            Delete(folder);
        }

        return true;
    }

    private static void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a folder that cannot be deleted now is swept by a later run.
        }
    }
}
