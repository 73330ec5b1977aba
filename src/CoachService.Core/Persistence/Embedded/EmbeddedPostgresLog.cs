using Microsoft.Extensions.Logging;

namespace CoachService.Persistence.Embedded;

internal static partial class EmbeddedPostgresLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Starting embedded PostgreSQL from {BinDirectory} on 127.0.0.1:{Port}, data in {DataDirectory}")]
    public static partial void Starting(ILogger logger, string binDirectory, int port, string dataDirectory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Creating a new PostgreSQL cluster in {DataDirectory} (superuser {Superuser})")]
    public static partial void InitializingCluster(ILogger logger, string dataDirectory, string superuser);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Embedded PostgreSQL is accepting connections on 127.0.0.1:{Port} (server pid {Pid})")]
    public static partial void Started(ILogger logger, int port, int pid);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Removed stale postmaster.pid in {DataDirectory}: pid {Pid} is not a PostgreSQL server for this folder")]
    public static partial void StaleLockRemoved(ILogger logger, string dataDirectory, int pid);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "A PostgreSQL server (pid {Pid}) left behind by an earlier run is still using {DataDirectory}; stopping it")]
    public static partial void StoppingOrphan(ILogger logger, int pid, string dataDirectory);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information,
        Message = "Stopping embedded PostgreSQL (pid {Pid})")]
    public static partial void Stopping(ILogger logger, int pid);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Embedded PostgreSQL stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error,
        Message = "Embedded PostgreSQL did not stop: {Details}")]
    public static partial void StopFailed(ILogger logger, string details);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning,
        Message = "Made {Folder} traversable (o+x) so the '{Account}' account can reach the data folder")]
    public static partial void MadeTraversable(ILogger logger, string folder, string account);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information,
        Message = "Created database {Database}")]
    public static partial void DatabaseCreated(ILogger logger, string database);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning,
        Message = "Not stopping PostgreSQL in {DataDirectory}: it is now run by pid {CurrentPid}, not pid {OwnPid} started by this handle")]
    public static partial void NotOurServer(ILogger logger, string dataDirectory, int currentPid, int ownPid);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information,
        Message = "Running as root: PostgreSQL runs as the '{Account}' account through {SwitchUserProgram}")]
    public static partial void RunningAsAccount(ILogger logger, string account, string switchUserProgram);
}
