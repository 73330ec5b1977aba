using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CoachService.Persistence.Embedded;

internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    public string Describe() => TimedOut
        ? $"timed out. {StandardOutput.Trim()} {StandardError.Trim()}".Trim()
        : $"exit code {ExitCode}. {StandardOutput.Trim()} {StandardError.Trim()}".Trim();
}

/// <summary>
/// Runs the PostgreSQL programs. PostgreSQL refuses to run as root, so when the service is root
/// every program runs as the unprivileged <c>postgres</c> account (created by the Debian/Ubuntu
/// package) through <c>runuser</c>, or <c>setpriv</c> where runuser is missing.
/// </summary>
internal sealed class PostgresProcessRunner
{
    public const string ServiceAccountName = "postgres";

    private static readonly string[] SystemBinFolders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly string? switchUserProgram;

    private PostgresProcessRunner(string? runAsAccount, string? switchUserProgram)
    {
        RunAsAccount = runAsAccount;
        this.switchUserProgram = switchUserProgram;
    }

    /// <summary>The account the server runs as when we are root; null when it runs as the current user.</summary>
    public string? RunAsAccount { get; }

    public string? SwitchUserProgram => switchUserProgram;

    public static PostgresProcessRunner ForCurrentUser()
    {
        if (!IsRoot())
        {
            return new PostgresProcessRunner(null, null);
        }

        if (!AccountExists(ServiceAccountName))
        {
            throw new EmbeddedPostgresException(
                $"The service runs as root, and PostgreSQL refuses to run as root, but there is no '{ServiceAccountName}' account to run it as. "
                + "Install the postgresql package (it creates the account), create the account, run the service as a regular user, "
                + "or set ConnectionStrings__Coach to an existing PostgreSQL server.");
        }

        var tool = FindSystemProgram("runuser") ?? FindSystemProgram("setpriv")
            ?? throw new EmbeddedPostgresException(
                $"The service runs as root and must start PostgreSQL as the '{ServiceAccountName}' account, but neither runuser nor setpriv "
                + "(util-linux) was found. Install util-linux, run the service as a regular user, or set ConnectionStrings__Coach to an existing PostgreSQL server.");
        return new PostgresProcessRunner(ServiceAccountName, tool);
    }

    /// <summary>Runs a program with its arguments passed one by one (never through a shell) and captures its output.</summary>
    public Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        var startInfo = NewStartInfo(program);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return RunAsync(startInfo, timeout, ct);
    }

    /// <summary>Runs a program as root itself (chown), without switching account.</summary>
    public static Task<ProcessResult> RunAsRootAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        var startInfo = BaseStartInfo(FindSystemProgram(program) ?? program);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return RunAsync(startInfo, timeout, ct);
    }

    private ProcessStartInfo NewStartInfo(string program)
    {
        if (RunAsAccount is null || switchUserProgram is null)
        {
            return BaseStartInfo(program);
        }

        var startInfo = BaseStartInfo(switchUserProgram);
        if (Path.GetFileName(switchUserProgram) == "runuser")
        {
            startInfo.ArgumentList.Add("-u");
            startInfo.ArgumentList.Add(RunAsAccount);
        }
        else
        {
            startInfo.ArgumentList.Add($"--reuid={RunAsAccount}");
            startInfo.ArgumentList.Add($"--regid={RunAsAccount}");
            startInfo.ArgumentList.Add("--init-groups");
        }

        startInfo.ArgumentList.Add("--");
        startInfo.ArgumentList.Add(program);
        return startInfo;
    }

    // The working directory is "/" because the postgres account may not be allowed into ours;
    // every path handed to the programs is absolute.
    private static ProcessStartInfo BaseStartInfo(string fileName) => new()
    {
        FileName = fileName,
        UseShellExecute = false,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        WorkingDirectory = "/",
    };

    private static async Task<ProcessResult> RunAsync(ProcessStartInfo startInfo, TimeSpan timeout, CancellationToken ct)
    {
        using var process = Process.Start(startInfo)
            ?? throw new EmbeddedPostgresException($"Could not start {startInfo.FileName}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var standardError = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            timedOut = true;
        }

        // A daemon that kept our pipes open would make ReadToEnd wait forever; pg_ctl -l redirects
        // the server's output to its log file, so this bound is only a safety net.
        var output = await Task.WhenAll(standardOutput, standardError)
            .WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None)
            .ConfigureAwait(false);
        return new ProcessResult(timedOut ? -1 : process.ExitCode, output[0], output[1], timedOut);
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && GetEffectiveUserId() == 0;

    private static bool AccountExists(string account)
        => File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(line => line.StartsWith(account + ":", StringComparison.Ordinal));

    private static string? FindSystemProgram(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemBinFolders)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    // DllImport rather than LibraryImport: the generated stub would need AllowUnsafeBlocks for a
    // call that takes no arguments.
    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();
}
