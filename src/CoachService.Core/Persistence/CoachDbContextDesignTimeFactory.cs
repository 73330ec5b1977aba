using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CoachService.Persistence;

/// <summary>
/// How <c>dotnet ef</c> builds the context. The service's own contexts wait for the database that
/// <see cref="DatabaseStartup"/> brings up when the host starts; the tools need none of that.
/// <c>migrations add</c> never connects; commands that do (<c>database update</c>,
/// <c>migrations list</c>) use <c>ConnectionStrings__Coach</c>, a login that owns the database.
/// </summary>
public sealed class CoachDbContextDesignTimeFactory : IDesignTimeDbContextFactory<CoachDbContext>
{
    private const string Unconnected = "Host=127.0.0.1;Database=coach";

    public CoachDbContext CreateDbContext(string[] args)
    {
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Coach");
        var options = new DbContextOptionsBuilder<CoachDbContext>();
        PersistenceServiceCollectionExtensions.Configure(options, string.IsNullOrWhiteSpace(configured) ? Unconnected : configured);
        return new CoachDbContext(options.Options);
    }
}
