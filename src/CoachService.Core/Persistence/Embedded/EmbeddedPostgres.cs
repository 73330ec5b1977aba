using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CoachService.Persistence.Embedded;

/// <summary>
/// A PostgreSQL cluster the service runs itself, so that a developer needs no database set-up:
/// the cluster lives in a folder that survives restarts, listens on 127.0.0.1 only, and is
/// stopped with the service.
/// </summary>
/// <remarks>
/// The server is started with <c>pg_ctl start -w</c> rather than as a child process: pg_ctl
/// detaches it into its own session (a Ctrl+C meant for the service does not kill it before the
/// service has finished with it), sends its output to a log file that outlives the service, and
/// knows when it is ready. A server left running by a killed service is found through its
/// <c>postmaster.pid</c> and stopped at the next start.
/// </remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    /// <summary>Superuser and owner of every database in the cluster.</summary>
    public const string SuperuserName = "coach_admin";

    private const string ServerLogFileName = "coach-server.log";
    private const string PasswordFileSuffix = ".superuser-password";
    private const string ServiceLoginPasswordFileSuffix = ".service-password";
    private const int LogLinesInErrors = 20;

    // initdb and a first checkpoint can be slow on a busy machine; these only catch hangs.
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly PostgresBinaries binaries;
    private readonly PostgresProcessRunner runner;
    private readonly ILogger logger;
    private readonly SemaphoreSlim stopGate = new(1, 1);
    private bool stopped;

    private EmbeddedPostgres(
        string connectionString, string serviceLoginPassword, int port, string dataDirectory, int serverPid,
        PostgresBinaries binaries, PostgresProcessRunner runner, ILogger logger)
    {
        ConnectionString = connectionString;
        ServiceLoginPassword = serviceLoginPassword;
        Port = port;
        DataDirectory = dataDirectory;
        ServerProcessId = serverPid;
        this.binaries = binaries;
        this.runner = runner;
        this.logger = logger;
    }

    /// <summary>Connection string for <see cref="SuperuserName"/> to the application database.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The password of the service's own login (<see cref="ServiceLogin"/>): generated on first use and
    /// kept beside the data folder like the superuser's (mode 0600); deleting that file rotates it at
    /// the next start.
    /// </summary>
    public string ServiceLoginPassword { get; }

    /// <summary>The TCP port on 127.0.0.1 the server listens on.</summary>
    public int Port { get; }

    /// <summary>Absolute path of the cluster's data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>Process id of the server (the postmaster), as written in its postmaster.pid.</summary>
    public int ServerProcessId { get; }

    /// <summary>
    /// Starts the cluster in <see cref="EmbeddedPostgresOptions.DataDirectory"/>, creating it on
    /// first use, and returns once the application database accepts connections.
    /// </summary>
    /// <exception cref="EmbeddedPostgresException">The cluster cannot be started; the message says why and what to change.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Validate(options);

        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory));
        var passwordFile = dataDirectory + PasswordFileSuffix;
        var binaries = PostgresBinaries.Locate(options.BinDirectory, dataDirectory);
        var runner = PostgresProcessRunner.ForCurrentUser();
        if (runner.RunAsAccount is { } account)
        {
            EmbeddedPostgresLog.RunningAsAccount(logger, account, runner.SwitchUserProgram ?? "");
        }

        PrepareDataDirectory(dataDirectory);
        if (runner.RunAsAccount is not null && !OperatingSystem.IsWindows())
        {
            await HandOverToAccountAsync(runner.RunAsAccount, dataDirectory, logger, ct).ConfigureAwait(false);
        }

        // A leftover server may hold the configured port, so it goes before the port check,
        // which goes before initdb to fail fast.
        await StopLeftoverServerAsync(binaries, runner, dataDirectory, logger, ct).ConfigureAwait(false);
        var port = ChoosePort(options.Port);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitializeClusterAsync(binaries, runner, dataDirectory, passwordFile, logger, ct).ConfigureAwait(false);
        }

        var password = ReadPassword(passwordFile, dataDirectory);
        var serviceLoginPasswordFile = dataDirectory + ServiceLoginPasswordFileSuffix;
        WritePasswordFileIfMissing(serviceLoginPasswordFile, dataDirectory);
        var serviceLoginPassword = ReadPassword(serviceLoginPasswordFile, dataDirectory);
        for (var attempt = 1; ; attempt++)
        {
            EmbeddedPostgresLog.Starting(logger, binaries.Directory, port, dataDirectory);
            try
            {
                await StartServerAsync(binaries, runner, dataDirectory, port, options.StartTimeout, options.MaxConnections, ct).ConfigureAwait(false);
                break;
            }
            catch (EmbeddedPostgresException ex) when (
                options.Port == 0 && attempt < 3 && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                // Another program took the free port between our check and the server's bind.
                port = ChoosePort(0);
            }
        }

        var serverPid = PostmasterLockFile.ReadPid(dataDirectory) ?? 0;

        try
        {
            var admin = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = SuperuserName,
                Password = password,
                Database = "postgres",
                Pooling = false,
            };
            await WaitUntilAcceptingAsync(admin.ConnectionString, dataDirectory, options.StartTimeout, ct).ConfigureAwait(false);
            await CreateDatabaseIfMissingAsync(admin.ConnectionString, options.Database, logger, ct).ConfigureAwait(false);
        }
        catch
        {
            await StopServerAsync(binaries, runner, dataDirectory, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var application = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SuperuserName,
            Password = password,
            Database = options.Database,
        };
        EmbeddedPostgresLog.Started(logger, port, serverPid);
        return new EmbeddedPostgres(application.ConnectionString, serviceLoginPassword, port, dataDirectory, serverPid, binaries, runner, logger);
    }

    /// <summary>
    /// Stops the server (<c>pg_ctl stop -m fast</c>, then <c>immediate</c> if that fails). Safe to
    /// call more than once; does nothing when another start has since taken over the folder.
    /// Failures are logged rather than thrown, because this runs while the service shuts down.
    /// </summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await stopGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            var currentPid = PostmasterLockFile.ReadPid(DataDirectory);
            if (currentPid is null)
            {
                return;
            }

            if (currentPid != ServerProcessId)
            {
                EmbeddedPostgresLog.NotOurServer(logger, DataDirectory, currentPid.Value, ServerProcessId);
                return;
            }

            EmbeddedPostgresLog.Stopping(logger, ServerProcessId);
            var result = await StopServerAsync(binaries, runner, DataDirectory, ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                EmbeddedPostgresLog.Stopped(logger);
            }
            else
            {
                EmbeddedPostgresLog.StopFailed(logger, result.Describe());
            }
        }
        finally
        {
            stopGate.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static void Validate(EmbeddedPostgresOptions options)
    {
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            throw new EmbeddedPostgresException(string.Join(" ", errors.Select(error => error.ErrorMessage)));
        }
    }

    private static void PrepareDataDirectory(string dataDirectory)
    {
        // pg_ctl puts the data and log paths inside "…" in a /bin/sh command line.
        if (dataDirectory.IndexOfAny(['"', '$', '`', '\\']) >= 0)
        {
            throw new EmbeddedPostgresException(
                $"Database:DataDirectory '{dataDirectory}' contains a character pg_ctl cannot pass to the server (\", $, ` or \\). Choose a plainer path.");
        }

        try
        {
            Directory.CreateDirectory(dataDirectory);
            var probe = Path.Combine(dataDirectory, $".coach-write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddedPostgresException(
                $"Database:DataDirectory '{dataDirectory}' cannot be created or written to ({ex.Message}). "
                + "Point Database:DataDirectory at a writable folder, or set ConnectionStrings__Coach to an existing PostgreSQL server.",
                ex);
        }
    }

    /// <summary>Gives the data folder to the account the server runs as, and lets it reach the folder.</summary>
    [UnsupportedOSPlatform("windows")]
    private static async Task HandOverToAccountAsync(string account, string dataDirectory, ILogger logger, CancellationToken ct)
    {
        for (var folder = Path.GetDirectoryName(dataDirectory); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            var mode = File.GetUnixFileMode(folder);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(folder, mode | UnixFileMode.OtherExecute);
                EmbeddedPostgresLog.MadeTraversable(logger, folder, account);
            }
        }

        var result = await PostgresProcessRunner
            .RunAsRootAsync("chown", ["-R", $"{account}:", dataDirectory], ToolTimeout, ct)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new EmbeddedPostgresException(
                $"Could not give Database:DataDirectory '{dataDirectory}' to the '{account}' account PostgreSQL runs as (chown {result.Describe()}).");
        }
    }

    private static async Task StopLeftoverServerAsync(
        PostgresBinaries binaries, PostgresProcessRunner runner, string dataDirectory, ILogger logger, CancellationToken ct)
    {
        if (PostmasterLockFile.ReadPid(dataDirectory) is not { } pid)
        {
            return;
        }

        var lockFile = PostmasterLockFile.PathIn(dataDirectory);
        var holder = PostmasterLockFile.Inspect(pid, dataDirectory);
        switch (holder.Kind)
        {
            case LockHolderKind.Stale:
                // PostgreSQL would refuse to start if the stale pid now belongs to a live program.
                File.Delete(lockFile);
                EmbeddedPostgresLog.StaleLockRemoved(logger, dataDirectory, pid);
                return;
            case LockHolderKind.OtherFolder:
                // pg_ctl stop would signal whatever pid the lock file names: never someone else's server.
                throw new EmbeddedPostgresException(
                    $"The lock file '{lockFile}' names pid {pid}, a running PostgreSQL server of another data directory ('{holder.DataDirectory}'). "
                    + $"It was left alone. If no server of Database:DataDirectory '{dataDirectory}' is running, delete '{lockFile}' and start again.");
            case LockHolderKind.Unknown:
                throw new EmbeddedPostgresException(
                    $"The lock file '{lockFile}' names pid {pid}, a running PostgreSQL server whose data directory cannot be read, so it was left alone. "
                    + $"If it is the server of Database:DataDirectory '{dataDirectory}', stop it (kill {pid}); otherwise delete '{lockFile}'. Then start again.");
        }

        EmbeddedPostgresLog.StoppingOrphan(logger, pid, dataDirectory);
        var result = await StopServerAsync(binaries, runner, dataDirectory, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new EmbeddedPostgresException(
                $"A PostgreSQL server (pid {pid}) left by an earlier run still uses Database:DataDirectory '{dataDirectory}' "
                + $"and could not be stopped (pg_ctl {result.Describe()}). Stop it by hand (kill {pid}) and start again.");
        }
    }

    private static async Task InitializeClusterAsync(
        PostgresBinaries binaries, PostgresProcessRunner runner, string dataDirectory, string passwordFile, ILogger logger, CancellationToken ct)
    {
        if (Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new EmbeddedPostgresException(
                $"Database:DataDirectory '{dataDirectory}' is not empty but holds no PostgreSQL cluster (no PG_VERSION file). "
                + "Point Database:DataDirectory at an empty or missing folder, or at a folder the service created before.");
        }

        WritePasswordFileIfMissing(passwordFile, dataDirectory);
        if (runner.RunAsAccount is { } account)
        {
            // initdb runs as the account and reads the password from this file.
            await PostgresProcessRunner.RunAsRootAsync("chown", [$"{account}:", passwordFile], ToolTimeout, ct).ConfigureAwait(false);
        }

        EmbeddedPostgresLog.InitializingCluster(logger, dataDirectory, SuperuserName);
        var result = await runner.RunAsync(
            binaries.PathOf("initdb"),
            [
                "--pgdata", dataDirectory,
                "--username", SuperuserName,
                "--pwfile", passwordFile,
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                // The C locale behaves the same on every machine (C.UTF-8 is missing on macOS, for one).
                "--no-locale",
            ],
            ToolTimeout,
            ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new EmbeddedPostgresException(
                $"initdb could not create a PostgreSQL cluster in Database:DataDirectory '{dataDirectory}' ({result.Describe()}).");
        }
    }

    private static void WritePasswordFileIfMissing(string passwordFile, string dataDirectory)
    {
        if (File.Exists(passwordFile))
        {
            return;
        }

        var password = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        try
        {
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // Created 0600 from the start, so the password is never readable by others.
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(passwordFile, fileOptions);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(password);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddedPostgresException(
                $"Could not write the cluster password file '{passwordFile}' next to Database:DataDirectory '{dataDirectory}' ({ex.Message}).", ex);
        }
    }

    private static string ReadPassword(string passwordFile, string dataDirectory)
    {
        var password = File.Exists(passwordFile) ? File.ReadLines(passwordFile).FirstOrDefault()?.Trim() : null;
        return string.IsNullOrEmpty(password)
            ? throw new EmbeddedPostgresException(
                $"The cluster in Database:DataDirectory '{dataDirectory}' exists but its password file '{passwordFile}' is missing or empty. "
                + "Restore the file, or delete the data folder to start over with an empty database.")
            : password;
    }

    private static int ChoosePort(int configuredPort)
    {
        // Port 0: the system hands out a free port; it is released at once for the server to take.
        var listener = new TcpListener(IPAddress.Loopback, configuredPort);
        try
        {
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        catch (SocketException ex)
        {
            throw new EmbeddedPostgresException(
                $"Database:Port {configuredPort} is already in use on 127.0.0.1 or cannot be used ({ex.SocketErrorCode}). "
                + "Set Database:Port to a free port, or to 0 to pick one at each start.",
                ex);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task StartServerAsync(
        PostgresBinaries binaries, PostgresProcessRunner runner, string dataDirectory, int port, TimeSpan startTimeout, int maxConnections, CancellationToken ct)
    {
        var logFile = Path.Combine(dataDirectory, ServerLogFileName);
        if (File.Exists(logFile))
        {
            // Keep one previous log: it tells why the last run ended.
            File.Move(logFile, logFile + ".previous", overwrite: true);
        }

        // pg_ctl hands -o to /bin/sh, so it holds only our own values, never configured text.
        // Unix sockets are off so nothing is created in /var/run/postgresql.
        var serverOptions = string.Create(
            CultureInfo.InvariantCulture,
            $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections={maxConnections}");
        var result = await runner.RunAsync(
            binaries.PathOf("pg_ctl"),
            [
                "start", "-w",
                "-t", ((int)Math.Ceiling(startTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
                "-D", dataDirectory,
                "-l", logFile,
                "-o", serverOptions,
            ],
            startTimeout + TimeSpan.FromSeconds(10),
            ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new EmbeddedPostgresException(
                $"PostgreSQL did not start in Database:DataDirectory '{dataDirectory}' on 127.0.0.1:{port} (pg_ctl {result.Describe()}).{LogTail(logFile)}");
        }
    }

    private static async Task WaitUntilAcceptingAsync(string adminConnectionString, string dataDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(adminConnectionString);
                await connection.OpenAsync(ct).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (NpgsqlException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw new EmbeddedPostgresException(
                    $"PostgreSQL in Database:DataDirectory '{dataDirectory}' did not accept connections within Database:StartTimeout ({timeout}): {ex.Message}"
                    + LogTail(Path.Combine(dataDirectory, ServerLogFileName)),
                    ex);
            }
        }
    }

    private static async Task CreateDatabaseIfMissingAsync(string adminConnectionString, string database, ILogger logger, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = database } },
        };
        if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        // The name is a validated lower-case identifier, so quoting it is enough.
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        EmbeddedPostgresLog.DatabaseCreated(logger, database);
    }

    private static async Task<ProcessResult> StopServerAsync(
        PostgresBinaries binaries, PostgresProcessRunner runner, string dataDirectory, CancellationToken ct)
    {
        var result = await PgCtlStopAsync("fast").ConfigureAwait(false);
        return result.Succeeded ? result : await PgCtlStopAsync("immediate").ConfigureAwait(false);

        Task<ProcessResult> PgCtlStopAsync(string mode) => runner.RunAsync(
            binaries.PathOf("pg_ctl"),
            ["stop", "-w", "-t", ((int)StopTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-D", dataDirectory, "-m", mode],
            StopTimeout + TimeSpan.FromSeconds(5),
            ct);
    }

    private static string LogTail(string logFile)
    {
        try
        {
            var lines = File.ReadAllLines(logFile);
            return lines.Length == 0
                ? ""
                : $"{Environment.NewLine}Last lines of the server log ({logFile}):{Environment.NewLine}"
                    + string.Join(Environment.NewLine, lines.TakeLast(LogLinesInErrors));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
