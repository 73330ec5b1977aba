using System.Diagnostics;
using System.Text;

namespace CoachService.Tests.Service;

/// <summary>
/// Runs the built service (CoachService.Api.dll, copied next to the tests) as its own process, as a
/// user would, to see what it prints and how it exits.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();

    private ServiceProcess(Process process)
    {
        this.process = process;
    }

    public string Output { get { lock (output) { return output.ToString(); } } }

    public string Error { get { lock (error) { return error.ToString(); } } }

    public static ServiceProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CoachService.Api.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The content root is where the dll is, so the service finds its appsettings.json there.
        info.Environment["ASPNETCORE_CONTENTROOT"] = AppContext.BaseDirectory;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Prompts__WatchForChanges"] = "false";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (service.output) { service.output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (service.error) { service.error.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await process.WaitForExitAsync().WaitAsync(timeout);
        process.WaitForExit(); // flushes the redirected streams
        return process.ExitCode;
    }

    /// <summary>Polls until the service logs a line containing the text.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the service did not log '{text}'. Output:\n{Output}\nErrors:\n{Error}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Asks the service to stop as Ctrl+C would, and waits for it.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    /// <summary>Kills the service at once (SIGKILL), as a crash or an out-of-memory kill would: nothing of it runs after.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
