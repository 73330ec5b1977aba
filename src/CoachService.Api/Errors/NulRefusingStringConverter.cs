using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoachService.Api.Errors;

/// <summary>
/// Refuses a NUL character (U+0000) in any string of a request body, where the JSON is read, so the
/// request is a 400 naming the field rather than a database error: PostgreSQL cannot store NUL in text.
/// </summary>
internal sealed class NulRefusingStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0') ? throw new NulCharacterException() : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>The JSON error of a string with a NUL character; the serializer adds the path.</summary>
internal sealed class NulCharacterException() : JsonException("The value contains a NUL character (U+0000).");
