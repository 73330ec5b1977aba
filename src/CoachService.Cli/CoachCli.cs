using CoachService.Privacy.Encryption;
using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using CoachService.Cli.Recordings;
using CoachService.Cli.Replay;
using CoachService.Cli.Reports;
using CoachService.Persistence;
using CoachService.Prompts;
using CoachService.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace CoachService.Cli;

/// <summary>
/// <c>coach</c>, the prompt-authoring tool: <c>record</c> stored sessions to recording files, <c>replay</c>
/// them against the prompts folder, with checks and a Markdown and HTML report. The exit code gates CI.
/// </summary>
public static class CoachCli
{
    /// <summary>Everything finished and every check passed (or, with --fail-on-regression, nothing regressed).</summary>
    public const int Success = 0;

    /// <summary>A check failed (a regression, with --fail-on-regression), or a conversation could not be replayed.</summary>
    public const int ChecksFailed = 1;

    /// <summary>A recording, checks file, setting or argument is wrong; the message names it.</summary>
    public const int BadInput = 2;

    /// <summary>Interrupted (Ctrl+C): what finished is reported, the cache holds only whole answers.</summary>
    public const int Interrupted = 130;

    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        output ??= System.Console.Out;
        error ??= System.Console.Error;
        var root = new RootCommand("coach: record coaching conversations, replay them against changed prompts, and see what changed.")
        {
            RecordCommand(output, error, cancellationToken),
            ReplayCommand(output, error, cancellationToken),
        };
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Option<string?> ConfigOption() => new("--config")
    {
        Description = "A JSON settings file (default: coach.json in the working directory, if there is one), read after the tool's own coach.settings.json.",
    };

    private static Option<string[]> SetOption() => new("--set")
    {
        Description = "A setting, KEY=VALUE (e.g. Llm:Provider=openai); may be repeated; wins over files and environment variables.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static Command RecordCommand(TextWriter output, TextWriter error, CancellationToken outer)
    {
        var user = new Option<string>("--user") { Description = "The user whose sessions to record: e-mail address or user id.", Required = true };
        var session = new Option<Guid?>("--session") { Description = "Only this session." };
        var from = new Option<DateOnly?>("--from") { Description = "Only sessions on or after this day (yyyy-mm-dd, the session's own day)." };
        var to = new Option<DateOnly?>("--to") { Description = "Only sessions on or before this day." };
        var scrub = new Option<bool>("--scrub") { Description = "Replace e-mail addresses, phone numbers and the names the user gave, consistently." };
        var outFolder = new Option<string>("--out") { Description = "Folder of the recording files.", DefaultValueFactory = _ => "recordings" };
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL connection string of the database owner (default ConnectionStrings:Coach)." };
        var appConnection = new Option<string?>("--app-connection")
        {
            Description = "The service's own login (default ConnectionStrings:CoachApp); every read runs as it, under row level security. With neither: the embedded database in Database:DataDirectory.",
        };
        var config = ConfigOption();
        var set = SetOption();
        var command = new Command("record", "Export stored sessions (one session, one user's sessions, or a date range of them) to recording files.")
        {
            user, session, from, to, scrub, outFolder, connection, appConnection, config, set,
        };
        command.SetAction(async (parsed, token) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, outer);
            try
            {
                var settings = Configuration(parsed.GetValue(config), parsed.GetValue(set) ?? []);
                var owner = parsed.GetValue(connection) ?? settings.GetConnectionString(DatabaseStartup.ConnectionStringName);
                var app = parsed.GetValue(appConnection) ?? settings.GetConnectionString(DatabaseStartup.AppConnectionStringName);
                var who = parsed.GetValue(user)!;
                var userId = Guid.TryParse(who, out var id) ? id : UserIds.FromEmail(who);
                var services = new ServiceCollection();
                services.AddSingleton(TimeProvider.System);
                services.AddLogging();
                var embedded = string.IsNullOrWhiteSpace(app);
                if (embedded)
                {
                    // No connection string: the service's embedded database (Database:DataDirectory), as the service starts it.
                    services.AddCoachDatabase(settings);
                }
                else
                {
                    // The service's key ring (DataProtection:*): the text is stored encrypted with each user's key.
                    var encryption = new EncryptionOptions();
                    settings.GetSection(EncryptionOptions.SectionName).Bind(encryption);
                    services.AddCoachPersistence(CoachConnectionStrings.Create(owner ?? app!, app!), encryption);
                }

                await using var provider = services.BuildServiceProvider();
                var startup = embedded ? provider.GetRequiredService<DatabaseStartup>() : null;
                IReadOnlyList<ConversationRecording> recordings;
                try
                {
                    if (startup is not null)
                    {
                        await startup.StartAsync(linked.Token);
                    }

                    var recorder = new SessionRecorder(provider.GetRequiredService<CoachDatabase>(), TimeProvider.System);
                    recordings = await recorder.RecordAsync(
                        new SessionSelection(userId, parsed.GetValue(session), parsed.GetValue(from), parsed.GetValue(to)), linked.Token);
                }
                finally
                {
                    if (startup is not null)
                    {
                        await startup.StopAsync(CancellationToken.None);
                    }
                }

                if (recordings.Count == 0)
                {
                    await error.WriteLineAsync($"No stored session of user {userId} matches; nothing recorded.");
                    return ChecksFailed;
                }

                var scrubber = parsed.GetValue(scrub) ? new Scrubber() : null;
                var folder = parsed.GetValue(outFolder)!;
                foreach (var recording in recordings)
                {
                    var written = scrubber?.Scrub(recording) ?? recording;
                    var file = Path.Combine(folder, written.Id + ".json");
                    await RecordingFiles.WriteAsync(file, written, linked.Token);
                    await output.WriteLineAsync($"recorded {written.Turns.Count} turn(s) to {file}{(scrubber is null ? "" : " (scrubbed)")}");
                }

                return Success;
            }
            catch (InputFileException e)
            {
                await error.WriteLineAsync(e.Message);
                return BadInput;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or ArgumentException or DomainValidationException or StartupException or OptionsValidationException)
            {
                await error.WriteLineAsync($"record failed: {e.Message}");
                return BadInput;
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                await error.WriteLineAsync("interrupted; recording files already written are complete.");
                return Interrupted;
            }
        });
        return command;
    }

    private static Command ReplayCommand(TextWriter output, TextWriter error, CancellationToken outer)
    {
        var recordings = new Argument<string[]>("recordings") { Description = "Recording files or folders (default: recordings).", Arity = ArgumentArity.ZeroOrMore };
        var prompts = new Option<string?>("--prompts") { Description = "The prompts folder to replay (default: the nearest prompts/ above the working directory)." };
        var baseline = new Option<string>("--baseline")
        {
            Description = "What to compare with: 'recording' (the recorded outputs), another prompts folder, or a git revision such as HEAD~1.",
            DefaultValueFactory = _ => BaselinePrompts.Recording,
        };
        var checks = new Option<string?>("--checks") { Description = "The checks file (default: checks.yaml in the first recordings folder, if there is one)." };
        var repeat = new Option<int>("--repeat") { Description = "Sample each turn N times and report how stable the outputs are.", DefaultValueFactory = _ => 1 };
        var noCache = new Option<bool>("--no-cache") { Description = "Bypass the response cache: every call goes to the provider." };
        var cache = new Option<string>("--cache") { Description = "The response cache folder.", DefaultValueFactory = _ => ".coach-cache" };
        var report = new Option<string>("--report") { Description = "Folder of report.md and report.html.", DefaultValueFactory = _ => "coach-report" };
        var failOnRegression = new Option<bool>("--fail-on-regression") { Description = "Exit non-zero only for checks that fail now and did not fail on the baseline." };
        var config = ConfigOption();
        var set = SetOption();
        var command = new Command("replay", "Replay recordings turn by turn through the prompts, run the checks, and write the report.")
        {
            recordings, prompts, baseline, checks, repeat, noCache, cache, report, failOnRegression, config, set,
        };
        command.SetAction(async (parsed, token) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, outer);
            try
            {
                var settings = Configuration(parsed.GetValue(config), parsed.GetValue(set) ?? []);
                var pricing = Pricing(settings);
                var paths = parsed.GetValue(recordings) is { Length: > 0 } given ? given : ["recordings"];
                var checksFile = parsed.GetValue(checks) ?? DefaultChecks(paths[0]);
                if (parsed.GetValue(repeat) is < 1 or > 20)
                {
                    await error.WriteLineAsync("--repeat: expected a number of samples from 1 to 20.");
                    return BadInput;
                }

                var promptsFolder = parsed.GetValue(prompts) ?? new PromptOptions().ResolveDirectory(Directory.GetCurrentDirectory());
                var console = ConsoleFor(output);
                var run = new ReplayRun(settings, pricing, console);
                var replay = new ReplaySettings(paths, promptsFolder, parsed.GetValue(baseline)!, checksFile, parsed.GetValue(repeat),
                    parsed.GetValue(noCache) ? null : parsed.GetValue(cache));
                var result = console.Profile.Capabilities.Interactive
                    ? await console.Progress().StartAsync(async context =>
                    {
                        var bar = context.AddTask("replaying turns");
                        return await new ReplayRun(settings, pricing, console) { Progress = (done, all) => { bar.MaxValue = all; bar.Value = done; } }
                            .RunAsync(replay, linked.Token);
                    })
                    : await run.RunAsync(replay, linked.Token);

                var folder = parsed.GetValue(report)!;
                Directory.CreateDirectory(folder);
                var markdown = MarkdownReport.Write(result);
                await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), markdown, CancellationToken.None);
                await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), HtmlReport.Write(result), CancellationToken.None);
                await output.WriteLineAsync();
                await output.WriteAsync(markdown);
                await output.WriteLineAsync();
                await output.WriteLineAsync($"Report: {Path.GetFullPath(Path.Combine(folder, "report.html"))}");
                if (result.Interrupted)
                {
                    await error.WriteLineAsync($"interrupted: {result.Conversations.Count(c => c.Error is null)} of {result.ConversationsPlanned} conversation(s) finished; the cache holds only whole answers.");
                    return Interrupted;
                }

                var errors = result.Conversations.Count(c => c.Error is not null);
                return parsed.GetValue(failOnRegression)
                    ? result.Regressions + errors > 0 ? ChecksFailed : Success
                    : result.Failures > 0 ? ChecksFailed : Success;
            }
            catch (InputFileException e)
            {
                await error.WriteLineAsync(e.Message);
                return BadInput;
            }
            catch (PromptFileException e)
            {
                await error.WriteLineAsync(e.Message);
                return BadInput;
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync(string.Join(Environment.NewLine, e.Failures));
                return BadInput;
            }
            catch (ValidationException e)
            {
                await error.WriteLineAsync(e.Message);
                return BadInput;
            }
        });
        return command;
    }

    private static string? DefaultChecks(string recordings)
    {
        var folder = Directory.Exists(recordings) ? recordings : Path.GetDirectoryName(Path.GetFullPath(recordings)) ?? ".";
        return new[] { "checks.yaml", "checks.yml", "checks.json" }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);
    }

    private static IConfiguration Configuration(string? file, IEnumerable<string> sets)
    {
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InputFileException("--set", set, "KEY=VALUE, e.g. Llm:Provider=openai");
            }

            pairs[set[..equals].Trim()] = set[(equals + 1)..];
        }

        if (file is not null && !File.Exists(file))
        {
            throw new InputFileException(file, "", "a JSON settings file (nothing is there)");
        }

        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "coach.settings.json"), optional: true)
            .AddJsonFile(Path.GetFullPath(file ?? "coach.json"), optional: file is null)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(pairs)
            .Build();
    }

    private static PricingOptions Pricing(IConfiguration configuration)
    {
        var pricing = configuration.GetSection(PricingOptions.SectionName).Get<PricingOptions>() ?? new PricingOptions();
        pricing.Models = new Dictionary<string, ModelPrice>(pricing.Models, StringComparer.OrdinalIgnoreCase);
        Validator.ValidateObject(pricing, new ValidationContext(pricing), validateAllProperties: true);
        return pricing;
    }

    private static IAnsiConsole ConsoleFor(TextWriter output)
    {
        if (ReferenceEquals(output, System.Console.Out))
        {
            return AnsiConsole.Console;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // A captured or redirected output is read by programs: no wrapping at 80 columns.
        console.Profile.Width = 240;
        return console;
    }
}
