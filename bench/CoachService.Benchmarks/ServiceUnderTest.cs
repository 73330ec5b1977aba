using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CoachService.Testing;

namespace CoachService.Benchmarks;

/// <summary>
/// The built service (CoachService.Api.dll, beside the benchmark) in its own process, so that its CPU,
/// memory and GC heap are its own: on a free loopback port, Development (for /dev/token), a fresh
/// database of the embedded test cluster, and the <c>openai</c> provider pointed at the fake model.
/// </summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private const string GarbageCollectorLine = "Garbage collector: ";
    private readonly Queue<string> _recentOutput = new();
    private long _outputLines;

    private readonly bool _ownsDatabase;

    private ServiceUnderTest(Process process, Uri baseAddress, CoachTestDatabase database, bool ownsDatabase)
    {
        _ownsDatabase = ownsDatabase;
        _process = process;
        BaseAddress = baseAddress;
        Database = database;
    }

    public Uri BaseAddress { get; }

    public CoachTestDatabase Database { get; }

    public int ProcessId => _process.Id;

    /// <summary>Lines the service has logged on standard output: logging on the hot path shows here per turn.</summary>
    public long OutputLines => Interlocked.Read(ref _outputLines);

    /// <summary>The garbage collector's settings the service logged at start-up ("server, 2 heaps, DATAS off, concurrent"), or null.</summary>
    public string? GarbageCollector { get; private set; }

    /// <summary>The last 300 lines of the service's log, for the report folder.</summary>
    public IReadOnlyList<string> RecentOutput { get { lock (_recentOutput) { return _recentOutput.ToList(); } } }

    /// <summary>The service's standard error so far, for a report of a failed start.</summary>
    public string Errors { get { lock (_errors) { return _errors.ToString(); } } }

    /// <param name="on">Another instance's database (a scale-out run); null: a fresh database this instance owns.</param>
    public static async Task<ServiceUnderTest> StartAsync(Uri modelBaseUrl, IReadOnlyDictionary<string, string>? settings, TimeSpan timeout, CoachTestDatabase? on = null)
    {
        var database = on ?? await CoachTestDatabase.CreateAsync();
        var port = FreeLoopbackPort();
        var bin = AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(bin, "CoachService.Api.dll"));
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_CONTENTROOT"] = bin,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Coach"] = database.Connections.Owner,
            ["ConnectionStrings__CoachApp"] = database.Connections.App,
            // The test database's own key ring (text is encrypted with a key per user), not the working folder's.
            ["DataProtection__KeyRingPath"] = database.KeyRingPath,
            ["Llm__Provider"] = "openai",
            ["Llm__Endpoint"] = modelBaseUrl.ToString(),
            ["Llm__Model"] = "fake-model",
            // A failure of the fake must show as an error, not be hidden by a retry.
            ["Llm__Resilience__MaxRetryAttempts"] = "0",
            // Simulated users talk faster than people: the per-user bucket (at its highest) is not what is measured.
            ["Coaching__TurnsPerMinute"] = "10000",
            ["Coaching__TurnBurst"] = "10000",
            ["Prompts__WatchForChanges"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceUnderTest(process, new Uri($"http://127.0.0.1:{port}/"), database, ownsDatabase: on is null);
        // Standard output (the service's Information log) is counted and dropped; errors are kept.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Interlocked.Increment(ref service._outputLines);
                if (service.GarbageCollector is null && e.Data.IndexOf(GarbageCollectorLine, StringComparison.Ordinal) is >= 0 and var at)
                {
                    service.GarbageCollector = e.Data[(at + GarbageCollectorLine.Length)..].Trim();
                }

                lock (service._recentOutput)
                {
                    service._recentOutput.Enqueue(e.Data);
                    if (service._recentOutput.Count > 300)
                    {
                        service._recentOutput.Dequeue();
                    }
                }
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (service._errors) { service._errors.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync(timeout);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with code {_process.ExitCode} at start: {Errors}");
            }

            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy migrating.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the service was not ready within {timeout}: {Errors}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // As Ctrl+C would: the service stops its turns and its pools before the database goes.
            using (var stop = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
