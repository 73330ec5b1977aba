using System.Text.Json;
using CoachService.Json;
using CoachService.Llm.Tasks;

namespace CoachService.Tests.Prompts;

public sealed class JsonSchemaValidatorTests
{
    private static readonly JsonElement Snapshot = PromptTestFiles.RepositoryLibrary().Get(CoachTask.EmotionalSnapshot).OutputSchema!.Value;
    private static readonly JsonElement Safety = PromptTestFiles.RepositoryLibrary().Get(CoachTask.SafetyScreen).OutputSchema!.Value;

    private static IReadOnlyList<string> Validate(JsonElement schema, string json) =>
        JsonSchemaValidator.Validate(schema, JsonDocument.Parse(json).RootElement);

    [Fact]
    public void AValidSnapshotHasNoErrors() =>
        Assert.Empty(Validate(Snapshot, """{"emotions":[{"emotion":"calm","intensity":2,"color":"#88AACC","confidence":0.5}]}"""));

    [Fact]
    public void OutOfRangeValuesAreReportedWithTheirPath() =>
        Assert.Equal(
            ["$.emotions[0].intensity: 7 is greater than the maximum 5", "$.emotions[0].confidence: -0.1 is less than the minimum 0"],
            Validate(Snapshot, """{"emotions":[{"emotion":"calm","intensity":7,"color":"#88AACC","confidence":-0.1}]}"""));

    [Fact]
    public void WrongTypesAreReported() =>
        Assert.Equal(
            ["$.emotions[0].intensity: expected integer but found the number 2.5", "$.emotions[0].color: expected string but found null"],
            Validate(Snapshot, """{"emotions":[{"emotion":"calm","intensity":2.5,"color":null,"confidence":1}]}"""));

    [Fact]
    public void ExtraAndMissingFieldsAreReported() =>
        Assert.Equal(
            ["$.emotions[0]: the required property 'confidence' is missing", "$.emotions[0]: the property 'note' is not allowed"],
            Validate(Snapshot, """{"emotions":[{"emotion":"calm","intensity":2,"color":"#88AACC","note":"x"}]}"""));

    [Fact]
    public void AValueOfTheWrongTypeGetsOnlyTheTypeError() =>
        Assert.Equal(
            ["$.risk_level: expected string but found the integer 5"],
            Validate(Safety, """{"risk_level":5,"is_crisis":false,"categories":[],"rationale":""}"""));

    [Fact]
    public void ManyThreadsValidatingWithOneSchemaGetTheSameErrors()
    {
        const string Output = """{"emotions":[{"emotion":"calm","intensity":7,"color":"blue","confidence":1},{"emotion":"calm","intensity":2,"color":"#88AACC","confidence":0.5}]}""";
        var expected = Validate(Snapshot, Output);

        var results = new IReadOnlyList<string>[64];
        Parallel.For(0, results.Length, i => results[i] = Validate(Snapshot, Output));

        Assert.Equal(["$.emotions[0].intensity: 7 is greater than the maximum 5", "$.emotions[0].color: the string does not match the pattern ^#[0-9A-Fa-f]{6}$"], expected);
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void OversizeStringsAndArraysAreReportedWithoutQuotingThem()
    {
        var rationale = new string('x', 301);
        var errors = Validate(Safety, $$"""{"risk_level":"none","is_crisis":false,"categories":["abuse","abuse","abuse","abuse","abuse","abuse"],"rationale":"{{rationale}}"}""");

        Assert.Equal(
            ["$.categories: 6 items are more than the maximum 5", "$.rationale: a string of 301 characters is longer than the maximum length 300"],
            errors);
    }

    [Fact]
    public void LengthsCountCharactersNotUtf16Units() =>
        Assert.Empty(Validate(Safety, $$"""{"risk_level":"none","is_crisis":false,"categories":[],"rationale":"{{string.Concat(Enumerable.Repeat("😀", 300))}}"}"""));

    [Fact]
    public void BadEnumValuesAndPatternsAreReportedWithoutTheValue()
    {
        var errors = Validate(Safety, """{"risk_level":"call 555-0100 secret","is_crisis":false,"categories":[],"rationale":""}""");

        Assert.Equal(["$.risk_level: a string value is not one of \"none\", \"low\", \"elevated\", \"crisis\""], errors);
        Assert.Equal(
            ["$.emotions[0].color: the string does not match the pattern ^#[0-9A-Fa-f]{6}$"],
            Validate(Snapshot, """{"emotions":[{"emotion":"calm","intensity":2,"color":"blue","confidence":1}]}"""));
    }

    [Fact]
    public void TypeArraysConstAndWholeNumbersWork()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":["integer","null"]},"b":{"const":"x"}}}""").RootElement;

        Assert.Empty(Validate(schema, """{"a":null,"b":"x"}"""));
        Assert.Empty(Validate(schema, """{"a":3.0,"b":"x"}"""));
        Assert.Equal(["$.a: expected integer or null but found a string", "$.b: a string value is not the required constant \"x\""], Validate(schema, """{"a":"3","b":"y"}"""));
    }
}
