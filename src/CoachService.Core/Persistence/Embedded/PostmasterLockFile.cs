using System.Diagnostics;

namespace CoachService.Persistence.Embedded;

/// <summary>What the pid in a data folder's <c>postmaster.pid</c> turned out to be.</summary>
internal enum LockHolderKind
{
    /// <summary>No process, or a program that is not PostgreSQL: the lock file is stale.</summary>
    Stale,

    /// <summary>A PostgreSQL server whose data directory is this folder.</summary>
    ThisFolder,

    /// <summary>A PostgreSQL server of another data directory (<see cref="LockHolder.DataDirectory"/>).</summary>
    OtherFolder,

    /// <summary>A PostgreSQL server whose data directory cannot be read (another account's process, no /proc).</summary>
    Unknown,
}

/// <param name="DataDirectory">The server's data directory, when it could be read.</param>
internal sealed record LockHolder(int Pid, LockHolderKind Kind, string? DataDirectory = null);

/// <summary>
/// Reads <c>postmaster.pid</c>, the lock file a running server keeps in its data folder
/// (first line: the server's pid). A service that was killed leaves it behind, sometimes with
/// the server still running; and a pid of a dead server may since belong to another cluster's.
/// </summary>
internal static class PostmasterLockFile
{
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, "postmaster.pid");

    public static int? ReadPid(string dataDirectory)
    {
        try
        {
            var firstLine = File.ReadLines(PathIn(dataDirectory)).FirstOrDefault();
            return int.TryParse(firstLine, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="pid"/> is, beyond doubt, the live PostgreSQL server of this folder.</summary>
    public static bool IsServerFor(int pid, string dataDirectory) => Inspect(pid, dataDirectory).Kind == LockHolderKind.ThisFolder;

    /// <summary>
    /// Who <paramref name="pid"/> is. Only <see cref="LockHolderKind.ThisFolder"/> may be stopped: a
    /// server is taken to be this folder's only when its own working directory (the postmaster
    /// changes into its data directory) or, failing that, its <c>-D</c> argument says so.
    /// </summary>
    public static LockHolder Inspect(int pid, string dataDirectory)
    {
        if (!ProcessState.IsRunning(pid) || !IsPostgres(pid))
        {
            return new LockHolder(pid, LockHolderKind.Stale);
        }

        if (WorkingDirectoryOf(pid) is { } workingDirectory)
        {
            return new LockHolder(pid, SameFolder(pid, workingDirectory, dataDirectory) ? LockHolderKind.ThisFolder : LockHolderKind.OtherFolder, workingDirectory);
        }

        if (DataArgumentOf(pid) is { } argument)
        {
            return new LockHolder(pid, Trimmed(argument) == Trimmed(dataDirectory) ? LockHolderKind.ThisFolder : LockHolderKind.OtherFolder, argument);
        }

        return new LockHolder(pid, LockHolderKind.Unknown);
    }

    private static bool IsPostgres(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName is "postgres" or "postmaster";
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The target of <c>/proc/PID/cwd</c>; null without /proc or without the right to read it.</summary>
    private static string? WorkingDirectoryOf(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The link's text may differ from our path through symbolic links on the way; a file only this
    // folder holds, looked up through the process's own working directory, settles it.
    private static bool SameFolder(int pid, string workingDirectory, string dataDirectory)
    {
        if (Trimmed(workingDirectory) == Trimmed(dataDirectory))
        {
            return true;
        }

        var probe = $".coach-same-folder-probe-{Guid.NewGuid():N}";
        try
        {
            File.WriteAllBytes(Path.Combine(dataDirectory, probe), []);
            return File.Exists($"/proc/{pid}/cwd/{probe}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            File.Delete(Path.Combine(dataDirectory, probe));
        }
    }

    /// <summary>The absolute folder after <c>-D</c> on the server's command line, when readable.</summary>
    private static string? DataArgumentOf(int pid)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            var dataIndex = Array.IndexOf(arguments, "-D");
            // A relative -D was resolved against a working directory we cannot see.
            return dataIndex >= 0 && dataIndex + 1 < arguments.Length && Path.IsPathRooted(arguments[dataIndex + 1])
                ? arguments[dataIndex + 1]
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Trimmed(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
}
