namespace CoachService.Persistence.Embedded;

/// <summary>The folder holding the PostgreSQL server programs the launcher needs.</summary>
internal sealed record PostgresBinaries(string Directory)
{
    private static readonly string[] RequiredPrograms = ["initdb", "pg_ctl", "postgres"];

    private const string DistributionRoot = "/usr/lib/postgresql";

    public string PathOf(string program) => Path.Combine(Directory, program);

    /// <summary>
    /// An explicit <paramref name="binDirectory"/> is used as is (no fallback, so a typo is not
    /// silently replaced by another version). Otherwise, for an existing cluster, the Debian/Ubuntu
    /// folder of its major version (a server of another major version cannot open it); then PATH;
    /// then the newest Debian/Ubuntu version.
    /// </summary>
    public static PostgresBinaries Locate(string? binDirectory, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(binDirectory))
        {
            var full = Path.GetFullPath(binDirectory);
            return HasAll(full)
                ? new PostgresBinaries(full)
                : throw NotFound($"in Database:BinDirectory ({full})");
        }

        var clusterVersionFile = Path.Combine(dataDirectory, "PG_VERSION");
        var clusterVersion = File.Exists(clusterVersionFile) ? File.ReadAllText(clusterVersionFile).Trim() : null;
        var sameVersion = clusterVersion is { Length: > 0 } && !clusterVersion.Contains('/')
            ? Path.Combine(DistributionRoot, clusterVersion, "bin")
            : null;
        if (sameVersion is not null && HasAll(sameVersion))
        {
            return new PostgresBinaries(sameVersion);
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasAll);
        if (onPath is not null)
        {
            return new PostgresBinaries(Path.GetFullPath(onPath));
        }

        var newest = System.IO.Directory.Exists(DistributionRoot)
            ? System.IO.Directory.GetDirectories(DistributionRoot)
                .Select(versionFolder => (Version: ParseVersion(Path.GetFileName(versionFolder)), Bin: Path.Combine(versionFolder, "bin")))
                .Where(candidate => candidate.Version is not null && HasAll(candidate.Bin))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault()
            : null;
        return newest is not null
            ? new PostgresBinaries(newest)
            : throw NotFound($"on PATH or in {DistributionRoot}/*/bin");
    }

    private static bool HasAll(string folder) => RequiredPrograms.All(program => File.Exists(Path.Combine(folder, program)));

    private static Version? ParseVersion(string name)
        => Version.TryParse(name.Contains('.') ? name : name + ".0", out var version) ? version : null;

    private static EmbeddedPostgresException NotFound(string where) => new(
        $"The PostgreSQL server programs (initdb, pg_ctl, postgres) were not found {where}. "
        + "CoachService runs its own PostgreSQL when no connection string is configured, and needs them for that. "
        + "There are three ways out: install PostgreSQL on this machine (for example `apt-get install postgresql`; "
        + "set Database:BinDirectory if its programs are somewhere unusual), "
        + "set ConnectionStrings__Coach to an existing PostgreSQL server, "
        + "or run `docker compose up` to start one in a container.");
}
