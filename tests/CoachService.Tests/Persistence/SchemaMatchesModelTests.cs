using CoachService.Persistence;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CoachService.Tests.Persistence;

public sealed class SchemaMatchesModelTests
{
    private const string CatalogQuery = """
        SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> '__EFMigrationsHistory'
        UNION ALL
        SELECT 'constraint ' || c.relname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname <> '__EFMigrationsHistory'
        UNION ALL
        SELECT 'index ' || indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory'
        ORDER BY 1
        """;

    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_leave_nothing_pending()
    {
        await using var database = await CoachTestDatabase.CreateAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var migrator = database.Get<DatabaseMigrator>();
        await using var db = migrator.CreateOwnerContext();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Contains("20261122000100_InitialSchema", await db.Database.GetAppliedMigrationsAsync());

        // Applying again is a no-op, as on every restart of the service.
        await migrator.MigrateAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(["20261122000100_InitialSchema", "20261201000100_MessageActions", "20261201000300_ErasedUsersAndIdleSweep"], await db.Database.GetAppliedMigrationsAsync());
        await using var owner = await database.OpenOwnerAsync();
        Assert.Equal(12, await database.CountAsync(owner, "SELECT count(*) FROM achievements"));
    }

    [Fact]
    public void The_model_has_no_changes_that_no_migration_describes()
    {
        // Compares the model with the snapshot dotnet ef wrote beside the last migration: a model
        // change without `dotnet ef migrations add` fails here (and the service refuses to migrate).
        using var db = new CoachDbContextDesignTimeFactory().CreateDbContext([]);

        Assert.False(db.Database.HasPendingModelChanges(),
            "CoachDbContext differs from the migrations' model snapshot: run `dotnet ef migrations add <Name> --project src/CoachService.Core`.");
    }

    [Fact]
    public async Task Migrated_schema_equals_the_schema_the_model_describes()
    {
        await using var migrated = await CoachTestDatabase.CreateAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await using var fromModel = await CoachTestDatabase.CreateAsync(migrate: false).WaitAsync(TimeSpan.FromMinutes(2));

        await using (var db = fromModel.Get<DatabaseMigrator>().CreateOwnerContext())
        await using (var connection = await fromModel.OpenOwnerAsync())
        await using (var create = new NpgsqlCommand(db.Database.GenerateCreateScript(), connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var expected = await CatalogAsync(fromModel.Connections.Owner);
        var actual = await CatalogAsync(migrated.Connections.Owner);

        Assert.True(expected.Count > 100, "the catalog query found the model's tables");
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"Migrated schema differs from the model.\nIn the model, not migrated:\n  {string.Join("\n  ", missing)}\nMigrated, not in the model:\n  {string.Join("\n  ", extra)}");
    }

    private static async Task<List<string>> CatalogAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(CatalogQuery, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
