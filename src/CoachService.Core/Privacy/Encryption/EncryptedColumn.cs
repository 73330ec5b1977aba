using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CoachService.Privacy.Encryption;

/// <summary>
/// Maps a property to a text column that holds it encrypted with the key of the unit of work's user
/// (<see cref="UserKeyScope"/>, <see cref="UserText"/>). Such a column cannot be compared in a query:
/// every encryption of a value differs. Filter on other columns and compare in memory.
/// </summary>
internal static class EncryptedColumn
{
    private static readonly ValueConverter<string, string> Text = new EncryptedTextConverter();

    /// <summary>A string property (required or not), encrypted.</summary>
    public static PropertyBuilder<T> IsEncrypted<T>(this PropertyBuilder<T> property) where T : class?
    {
        if (typeof(T) != typeof(string))
        {
            throw new InvalidOperationException($"IsEncrypted maps strings; use IsEncryptedJson for {typeof(T).Name}.");
        }

        property.HasConversion(Text).HasColumnType("text");
        return property;
    }

    /// <summary>JSON (as <see cref="JsonColumn"/> writes it), encrypted; compared by its JSON like a jsonb column.</summary>
    public static PropertyBuilder<T> IsEncryptedJson<T>(this PropertyBuilder<T> property)
    {
        property.HasConversion(new EncryptedJsonConverter<T>(), JsonColumn.Comparer<T>()).HasColumnType("text");
        return property;
    }

    /// <summary>Every table of the model with encrypted columns: its name, key and user columns, and those columns.</summary>
    internal static IReadOnlyList<EncryptedTable> All(IModel model) =>
        [.. model.GetEntityTypes()
            .Select(entity => new EncryptedTable(
                entity.GetTableName()!,
                entity.FindPrimaryKey()!.Properties.Single().GetColumnName(),
                entity.FindProperty(nameof(IUserOwned.UserId))?.GetColumnName() ?? "",
                [.. entity.GetProperties().Where(p => p.GetValueConverter() is IEncryptedConverter).Select(p => p.GetColumnName()).Order(StringComparer.Ordinal)]))
            .Where(table => table.Columns.Count > 0)
            .OrderBy(table => table.Table, StringComparer.Ordinal)];

    internal static string Protect(string value) => UserText.Encrypt(UserKeyScope.ForWriting(), value);

    // Text stored before encryption at rest has no prefix and is read as it is (see UserText).
    internal static string Unprotect(string value) =>
        UserText.IsEncrypted(value) ? UserText.Decrypt(UserKeyScope.ForReading(), value) : value;

    /// <summary>Marks the converters of encrypted columns, so the columns can be found in the model.</summary>
    private interface IEncryptedConverter;

    private sealed class EncryptedTextConverter() : ValueConverter<string, string>(v => Protect(v), v => Unprotect(v)), IEncryptedConverter;

    private sealed class EncryptedJsonConverter<T>()
        : ValueConverter<T, string>(v => Protect(JsonColumn.Serialize(v)), v => JsonColumn.Deserialize<T>(Unprotect(v))), IEncryptedConverter;
}

/// <summary>A table's encrypted columns, by their SQL names.</summary>
internal sealed record EncryptedTable(string Table, string KeyColumn, string UserColumn, IReadOnlyList<string> Columns);
