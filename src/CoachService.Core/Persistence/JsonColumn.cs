using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CoachService.Persistence;

/// <summary>Maps a property to a jsonb column through System.Text.Json, comparing values by their JSON.</summary>
internal static class JsonColumn
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static PropertyBuilder<T> HasJsonb<T>(this PropertyBuilder<T> property)
    {
        property.HasConversion(v => Serialize(v), v => Deserialize<T>(v), Comparer<T>()).HasColumnType("jsonb");
        return property;
    }

    /// <summary>Values are equal when their JSON is; a snapshot is a copy through JSON.</summary>
    internal static ValueComparer<T> Comparer<T>() => new(
        (a, b) => Serialize(a) == Serialize(b),
        v => Serialize(v).GetHashCode(StringComparison.Ordinal),
        v => Deserialize<T>(Serialize(v)));

    internal static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    internal static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
