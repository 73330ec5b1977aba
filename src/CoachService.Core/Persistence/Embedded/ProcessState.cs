using System.Diagnostics;

namespace CoachService.Persistence.Embedded;

internal static class ProcessState
{
    /// <summary>
    /// Whether <paramref name="pid"/> is a running process. A zombie counts as gone: a server
    /// killed in a container whose init does not reap children stays a zombie for a while.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }

        try
        {
            // /proc/<pid>/stat is "pid (name) state …"; the name may contain spaces or parentheses.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.Length || stat[afterName + 2] != 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc (macOS) or the process just ended: trust GetProcessById.
            return File.Exists($"/proc/{pid}/stat") || !Directory.Exists("/proc");
        }
    }
}
