using System.Diagnostics;
using System.Runtime.InteropServices;
using CoachService.Persistence.Embedded;

namespace CoachService.Testing;

/// <summary>
/// Stops a throwaway server in milliseconds: SIGQUIT is PostgreSQL's "immediate" shutdown, which
/// skips the checkpoint but still removes the lock file and shared memory. Test clean-up needs
/// this speed because the test host is killed shortly after ProcessExit begins, too soon for
/// <c>pg_ctl stop</c>.
/// </summary>
internal static class ImmediateShutdown
{
    private const int SigQuit = 3;

    public static void Stop(int serverPid)
    {
        if (OperatingSystem.IsWindows() || !ProcessState.IsRunning(serverPid))
        {
            return;
        }

        _ = Kill(serverPid, SigQuit);
        var clock = Stopwatch.StartNew();
        while (ProcessState.IsRunning(serverPid) && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(10);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
