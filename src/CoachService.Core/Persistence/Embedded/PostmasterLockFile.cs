using System.Diagnostics;

namespace CoachService.Persistence.Embedded;

/// <summary>
/// Reads <c>postmaster.pid</c>, the lock file a running server keeps in its data folder
/// (first line: the server's pid). A service that was killed leaves it behind, sometimes with
/// the server still running.
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

    /// <summary>
    /// Whether <paramref name="pid"/> is a live PostgreSQL server for this folder. A dead pid, or
    /// a pid the system has since given to another program, means the lock file is stale.
    /// </summary>
    public static bool IsServerFor(int pid, string dataDirectory)
    {
        if (!ProcessState.IsRunning(pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.ProcessName is not ("postgres" or "postmaster"))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }

        // pg_ctl starts the server with "-D <folder>"; where the command line is readable, make
        // sure the pid is not another cluster's server that happens to have reused the number.
        var commandLinePath = $"/proc/{pid}/cmdline";
        if (!File.Exists(commandLinePath))
        {
            return true;
        }

        try
        {
            var arguments = File.ReadAllText(commandLinePath).Split('\0');
            var dataIndex = Array.IndexOf(arguments, "-D");
            return dataIndex < 0 || dataIndex + 1 >= arguments.Length
                || string.Equals(Path.GetFullPath(arguments[dataIndex + 1]).TrimEnd('/'), dataDirectory.TrimEnd('/'), StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return true;
        }
    }
}
