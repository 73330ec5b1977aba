using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;
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
    private static readonly ValueConverter<string, string> Text = new(v => Protect(v), v => Unprotect(v));

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
        property.HasConversion(v => Protect(JsonColumn.Serialize(v)), v => JsonColumn.Deserialize<T>(Unprotect(v)), JsonColumn.Comparer<T>())
            .HasColumnType("text");
        return property;
    }

    internal static string Protect(string value) => UserText.Encrypt(UserKeyScope.ForWriting(), value);

    // Text stored before encryption at rest has no prefix and is read as it is (see UserText).
    internal static string Unprotect(string value) =>
        UserText.IsEncrypted(value) ? UserText.Decrypt(UserKeyScope.ForReading(), value) : value;
}
