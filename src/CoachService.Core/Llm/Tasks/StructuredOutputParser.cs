using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Json;
using CoachService.Prompts;

namespace CoachService.Llm.Tasks;

/// <summary>
/// Reads a structured task's output text as its record: the JSON (code fences allowed), the prompt's
/// schema, the rules a schema cannot state (<see cref="CoachOutputRules"/>), then the record. Whatever the
/// model sends, the answer is the record or the errors, never another exception; the errors never quote
/// the output's strings and are bounded in number, so a hostile output cannot flood a log or a repair request.
/// </summary>
internal static partial class StructuredOutputParser
{
    /// <summary>Errors reported of one output; the rest are counted in one last line.</summary>
    internal const int MaxErrors = 20;

    /// <summary>
    /// Characters an output may have. The largest valid output (the goal suggestions: 2,580 characters of
    /// text) is under 32,000 even with every character escaped as a surrogate pair; the prompts' token
    /// limits (at most 700) keep a real one far below.
    /// </summary>
    internal const int MaxOutputLength = 64 * 1024;

    private static readonly JsonSerializerOptions OutputJson = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The output as <typeparamref name="T"/> if it is valid, else the reasons it is not (at most <see cref="MaxErrors"/> + 1).</summary>
    /// <remarks>
    /// With <paramref name="instructions"/>, a string that reads the prompt's instructions back makes the output
    /// invalid like a schema error (the output guard of docs/decisions/instruction-leak-guard.md).
    /// </remarks>
    public static (T? Value, IReadOnlyList<string> Errors) Evaluate<T>(
        PromptTemplate prompt, string text, InstructionShingles? instructions = null, Action<string>? readBack = null)
    {
        if (text.Length > MaxOutputLength)
        {
            return (default, [OversizedError(text.Length)]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(StripCodeFence(text));
        }
        catch (JsonException e)
        {
            return (default, [$"$: the reply is not a JSON value (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"]);
        }

        using (document)
        {
            IReadOnlyList<string> errors = JsonSchemaValidator.Validate(prompt.OutputSchema!.Value, document.RootElement);
            if (errors.Count == 0)
            {
                errors = TextRules(document.RootElement);
            }

            if (errors.Count > 0)
            {
                return (default, Bounded(errors));
            }

            if (instructions?.FindReadBack(document.RootElement) is { } path)
            {
                readBack?.Invoke(path);
                return (default, [ReadBackError(path)]);
            }

            try
            {
                var value = document.RootElement.Deserialize<T>(OutputJson);
                if (value is null)
                {
                    return (default, ["$: the output is null"]);
                }

                var broken = CoachOutputRules.Check(value);
                return broken.Count > 0 ? (default, Bounded(broken)) : (value, []);
            }
            catch (JsonException e)
            {
                // The schema and the record disagree: a bug in the prompt file, reported without the output.
                return (default, [$"{e.Path ?? "$"}: the output does not fit {typeof(T).Name}"]);
            }
        }
    }

    /// <summary>The error of an output whose string at <paramref name="path"/> repeats the prompt's instructions.</summary>
    internal static string ReadBackError(string path) => $"{path}: this text repeats your instructions; write it in your own words";

    /// <summary>The output as <typeparamref name="T"/>.</summary>
    /// <exception cref="LlmOutputInvalidException">The output is not valid; the exception names the task and the errors.</exception>
    public static T Parse<T>(PromptTemplate prompt, string text)
    {
        var (value, errors) = Evaluate<T>(prompt, text);
        return value ?? throw new LlmOutputInvalidException(prompt.Name, errors);
    }

    /// <summary>
    /// Rules for every string of every output, which the schemas do not state: the text is shown to the
    /// user, spoken and stored, so it holds no control characters (a NUL cannot even be stored) and no
    /// markup (a page that forgot to encode it would run it). A <c>&lt;</c> followed by a letter, <c>/</c>,
    /// <c>!</c> or <c>?</c> counts as markup; "&lt;3" and "a &lt; b" do not.
    /// </summary>
    private static List<string> TextRules(JsonElement root)
    {
        var errors = new List<string>();
        void Visit(JsonElement value, string path)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    var text = value.GetString()!;
                    if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
                    {
                        errors.Add($"{path}: the string contains a control character");
                    }

                    if (Markup().IsMatch(text))
                    {
                        errors.Add($"{path}: the string contains markup (a tag such as <b>); write plain text");
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        Visit(property.Value, $"{path}.{property.Name}");
                    }

                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Visit(item, $"{path}[{index++}]");
                    }

                    break;
            }
        }

        // After the schema: every name is one of the schema's own.
        Visit(root, "$");
        return errors;
    }

    [GeneratedRegex(@"<[A-Za-z/!?]")]
    private static partial Regex Markup();

    internal static string OversizedError(int length) =>
        $"$: the reply is {length} characters long; a valid output has at most {MaxOutputLength}";

    private static IReadOnlyList<string> Bounded(IReadOnlyList<string> errors) =>
        errors.Count <= MaxErrors ? errors : [.. errors.Take(MaxErrors), $"… and {errors.Count - MaxErrors} more errors"];

    /// <summary>Models often wrap JSON in ```json fences although asked not to.</summary>
    internal static string StripCodeFence(string text)
    {
        var match = CodeFence().Match(text);
        return match.Success ? match.Groups["json"].Value : text.Trim();
    }

    [GeneratedRegex(@"^\s*```[A-Za-z]*[ \t]*\r?\n(?<json>.*?)\r?\n?```\s*$", RegexOptions.Singleline)]
    private static partial Regex CodeFence();
}
