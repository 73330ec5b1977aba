using System.Net;
using System.Net.Sockets;
using CoachService.Testing;

namespace CoachService.Tests.Service;

/// <summary>The service as a user starts it: its own process, its own embedded database, its own exit code.</summary>
public sealed class StartupTests
{
    /// <summary>The migrations a new database gets, in order: every one the core assembly has.</summary>
    private static readonly string[] AllMigrations = typeof(CoachService.Persistence.CoachDbContext).Assembly.GetTypes()
        .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).FirstOrDefault())
        .OfType<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>()
        .Select(m => m.Id)
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task With_no_configuration_it_runs_its_own_database_and_a_second_start_reuses_the_data()
    {
        using var folder = new TemporaryFolder();
        var url = $"http://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string> { ["Database__DataDirectory"] = folder.Combine("data") };

        await using (var first = ServiceProcess.Start(folder.Path, environment, "--urls", url))
        {
            await first.WaitForOutputAsync("Application started", ExitTimeout);
            Assert.Equal(HttpStatusCode.OK, await GetStatusAsync($"{url}/health/ready"));
            Assert.Contains("Creating a new PostgreSQL cluster", first.Output);
            Assert.Contains($"Applying {AllMigrations.Length} database migration(s): {string.Join(", ", AllMigrations)}", first.Output);
            Assert.Equal(0, await first.StopAsync(ExitTimeout));
            Assert.Contains("Embedded PostgreSQL stopped", first.Output);
        }

        await using var second = ServiceProcess.Start(folder.Path, environment, "--urls", url);
        await second.WaitForOutputAsync("Application started", ExitTimeout);
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync($"{url}/health/ready"));
        Assert.DoesNotContain("Creating a new PostgreSQL cluster", second.Output);
        Assert.DoesNotContain("Applying", second.Output);
        Assert.Equal(0, await second.StopAsync(ExitTimeout));
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "ConnectionStrings__Coach", "Host=127.0.0.1;Port=1;Username=coach;Password=not-shown;Database=coach", "ConnectionStrings:Coach" },
        { "ConnectionStrings__Coach", "Host=127.0.0.1;Port==;;", "ConnectionStrings:Coach" },
        { "Database__DataDirectory", "/proc/version/data", "Database:DataDirectory" },
        { "Llm__Provider", "gemini", "Llm:Provider" },
        { "Llm__Resilience__AttemptTimeout", "-00:00:01", "Llm:Resilience:AttemptTimeout" },
        { "Cors__AllowedOrigins__0", "app.example.com/path", "Cors:AllowedOrigins" },
        { "Coaching__MaxTurnLength", "0", "Coaching:MaxTurnLength" },
        { "Coaching__MaxTurnLength", "lots", "Coaching:MaxTurnLength" },
        { "Llm__Resilience__AttemptTimeout", "soon", "Llm:Resilience:AttemptTimeout" },
        { "DataProtection__KeyRingPath", "/proc/version/keys", "DataProtection:KeyRingPath" },
        { "DataProtection__CertificatePath", "/nonexistent/coach-key-ring.pfx", "DataProtection:CertificatePath" },
        { "DataProtection__UserKeyCacheSize", "0", "DataProtection:UserKeyCacheSize" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_start_up_with_one_line_naming_it(string variable, string value, string setting)
    {
        using var folder = new TemporaryFolder();
        var environment = new Dictionary<string, string>
        {
            ["Database__DataDirectory"] = folder.Combine("data"),
            [variable] = value,
        };
        if (variable == "ConnectionStrings__Coach")
        {
            // The owner's string is the one at fault here, not a missing service login.
            environment["ConnectionStrings__CoachApp"] = "Host=127.0.0.1;Port=1;Username=coach_service;Password=not-shown;Database=coach";
        }

        await using var service = ServiceProcess.Start(folder.Path, environment, "--urls", $"http://127.0.0.1:{FreePort()}");

        var exitCode = await service.WaitForExitAsync(ExitTimeout);

        AssertOneLineFailure(service, exitCode, setting);
        Assert.DoesNotContain("not-shown", service.Error + service.Output);
    }

    [Fact]
    [Trait("Suite", "Reliability")]
    public async Task Outside_Development_a_key_ring_left_in_its_default_folder_stops_start_up_naming_the_setting()
    {
        using var folder = new TemporaryFolder();
        await using var service = ServiceProcess.Start(folder.Path, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__DataDirectory"] = folder.Combine("data"),
            ["Auth__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
        }, "--urls", $"http://127.0.0.1:{FreePort()}");

        AssertOneLineFailure(service, await service.WaitForExitAsync(ExitTimeout), "DataProtection:KeyRingPath is not set");
        Assert.Contains("Production", service.Error);
        // Refused before the database: no cluster was made, no key of any user written.
        Assert.False(Directory.Exists(folder.Combine("data")), "the embedded database was started");
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.key", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_setting_of_the_wrong_type_on_the_command_line_names_the_setting_its_value_and_the_type()
    {
        using var folder = new TemporaryFolder();
        await using var service = ServiceProcess.Start(folder.Path,
            new Dictionary<string, string> { ["Database__DataDirectory"] = folder.Combine("data") },
            "--urls", $"http://127.0.0.1:{FreePort()}", "--Coaching:MaxTurnLength=lots");

        AssertOneLineFailure(service, await service.WaitForExitAsync(ExitTimeout), "Coaching:MaxTurnLength");
        Assert.Contains("'lots'", service.Error);
        Assert.Contains("Int32", service.Error);
    }

    [Fact]
    public async Task A_broken_prompt_file_stops_start_up_with_its_file_line_and_reason()
    {
        using var folder = new TemporaryFolder();
        var prompts = Directory.CreateDirectory(folder.Combine("prompts")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "prompts"), "*.prompty"))
        {
            File.Copy(file, Path.Combine(prompts, Path.GetFileName(file)));
        }

        var broken = Path.Combine(prompts, "coach_reply.prompty");
        File.WriteAllText(broken, File.ReadAllText(broken).Replace("{{message}}", "{{mesage}}", StringComparison.Ordinal));
        await using var service = ServiceProcess.Start(folder.Path,
            new Dictionary<string, string> { ["Database__DataDirectory"] = folder.Combine("data"), ["Prompts__Path"] = prompts },
            "--urls", $"http://127.0.0.1:{FreePort()}");

        AssertOneLineFailure(service, await service.WaitForExitAsync(ExitTimeout), "coach_reply.prompty:");
        Assert.Contains("mesage", service.Error);
    }

    [Fact]
    public async Task Ports_in_use_stop_start_up_with_one_line_naming_the_setting()
    {
        using var folder = new TemporaryFolder();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using (var http = ServiceProcess.Start(folder.Path,
            new Dictionary<string, string> { ["Database__DataDirectory"] = folder.Combine("data") }, "--urls", $"http://127.0.0.1:{port}"))
        {
            AssertOneLineFailure(http, await http.WaitForExitAsync(ExitTimeout), "--urls");
        }

        await using var database = ServiceProcess.Start(folder.Path,
            new Dictionary<string, string> { ["Database__DataDirectory"] = folder.Combine("data"), ["Database__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            "--urls", $"http://127.0.0.1:{FreePort()}");
        AssertOneLineFailure(database, await database.WaitForExitAsync(ExitTimeout), "Database:Port");
    }

    private static void AssertOneLineFailure(ServiceProcess service, int exitCode, string setting)
    {
        Assert.Equal(1, exitCode);
        var lines = service.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on standard error, got:\n{service.Error}");
        Assert.StartsWith("CoachService could not start: ", lines[0]);
        Assert.Contains(setting, lines[0]);
        Assert.DoesNotContain("   at ", service.Output + service.Error);
    }

    private static async Task<HttpStatusCode> GetStatusAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return (await client.GetAsync(url)).StatusCode;
    }

    private static int FreePort() => LoopbackPort.Free();
}
