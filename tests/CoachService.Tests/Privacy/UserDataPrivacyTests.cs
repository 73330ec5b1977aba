using System.Text.Json.Nodes;
using CoachService.Privacy;
using CoachService.Testing;
using CoachService.Tests.Persistence;
using Npgsql;

namespace CoachService.Tests.Privacy;

public sealed class UserDataPrivacyTests
{
    [Fact]
    public async Task The_export_holds_every_row_of_every_table_the_user_owns()
    {
        await using var database = await CoachTestDatabase.CreateAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Guid user;
        await using (var owner = await database.OpenOwnerAsync())
        {
            user = await UserRows.SeedAsync(owner, "export@example.com");
            await UserRows.SeedAsync(owner, "someone-else@example.com");
        }

        var export = await database.Get<UserDataPrivacy>().ExportAsync(user);

        Assert.NotNull(export);
        await using var ownerConnection = await database.OpenOwnerAsync();
        foreach (var (table, column) in await UserTablesAsync(ownerConnection))
        {
            var rows = export[table] as JsonArray;
            Assert.True(rows is not null, $"the export has no section for table {table}");
            var expected = await database.CountAsync(ownerConnection, $"SELECT count(*) FROM {table} WHERE {column} = @u", ("u", user));
            Assert.True(expected > 0, $"the seed wrote no row to {table}");
            Assert.Equal(expected, rows.Count);
            Assert.All(rows, row => Assert.True(user.ToString() == (string?)row![column == "id" ? "id" : "user_id"], $"a row of {table} does not name the user"));
        }

        Assert.Equal("export@example.com", (string?)export["users"]![0]!["email"]);
        Assert.Equal("dark", (string?)export["user_settings"]![0]!["setting_value"]);
        Assert.Equal("first_session", (string?)export["user_achievements"]![0]!["code"]);
        Assert.Equal("Hello coach", (string?)export["messages"]![0]!["content"]);
    }

    [Fact]
    public async Task Erasing_a_user_leaves_no_row_of_theirs_and_anothers_rows_intact()
    {
        await using var database = await CoachTestDatabase.CreateAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Guid erased, kept;
        await using (var owner = await database.OpenOwnerAsync())
        {
            erased = await UserRows.SeedAsync(owner, "erase-me@example.com");
            kept = await UserRows.SeedAsync(owner, "keep-me@example.com");
        }

        Assert.True(await database.Get<UserDataPrivacy>().EraseAsync(erased));
        Assert.False(await database.Get<UserDataPrivacy>().EraseAsync(erased));

        await using var connection = await database.OpenOwnerAsync();
        foreach (var (table, column) in await UserTablesAsync(connection))
        {
            Assert.Equal(0, await database.CountAsync(connection, $"SELECT count(*) FROM {table} WHERE {column} = @u", ("u", erased)));
            Assert.True(await database.CountAsync(connection, $"SELECT count(*) FROM {table} WHERE {column} = @u", ("u", kept)) > 0,
                $"{table} lost the other user's rows");
        }

        Assert.Null(await database.Get<UserDataPrivacy>().ExportAsync(erased));
        Assert.NotNull(await database.Get<UserDataPrivacy>().ExportAsync(kept));

        // The erasure itself is recorded, with nothing but the id and the time; the other user has none.
        Assert.Equal(1, await database.CountAsync(connection, "SELECT count(*) FROM erased_users WHERE id = @u", ("u", erased)));
        Assert.Equal(0, await database.CountAsync(connection, "SELECT count(*) FROM erased_users WHERE id = @u", ("u", kept)));
        Assert.Equal(2, await database.CountAsync(connection,
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'erased_users'"));
    }

    /// <summary>Every table with a user_id column, from the catalog, so a new table cannot be forgotten.</summary>
    private static async Task<List<(string Table, string Column)>> UserTablesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT table_name FROM information_schema.columns
            WHERE table_schema = 'public' AND column_name = 'user_id' ORDER BY table_name
            """, connection);
        var tables = new List<(string, string)> { ("users", "id") };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add((reader.GetString(0), "user_id"));
        }

        return tables;
    }
}
