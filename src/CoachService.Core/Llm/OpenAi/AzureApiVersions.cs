using Azure.AI.OpenAI;

namespace CoachService.Llm.OpenAi;

/// <summary>The api-version values of classic Azure OpenAI endpoints that the Azure.AI.OpenAI client can send.</summary>
internal static class AzureApiVersions
{
    // The library's enum is the list: a version it does not know it cannot speak.
    private static readonly Dictionary<string, AzureOpenAIClientOptions.ServiceVersion> ByLabel =
        Enum.GetValues<AzureOpenAIClientOptions.ServiceVersion>()
            .ToDictionary(Label, v => v, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every known label, e.g. <c>2024-10-21</c> or <c>2025-04-01-preview</c>, oldest first.</summary>
    public static IReadOnlyList<string> Labels { get; } = [.. ByLabel.Keys.Order(StringComparer.Ordinal)];

    public static AzureOpenAIClientOptions.ServiceVersion? Find(string label) =>
        ByLabel.TryGetValue(label.Trim(), out var version) ? version : null;

    /// <summary><c>V2025_04_01_Preview</c> is sent as <c>2025-04-01-preview</c>.</summary>
    private static string Label(AzureOpenAIClientOptions.ServiceVersion version) =>
        version.ToString().TrimStart('V').Replace('_', '-').ToLowerInvariant();
}
