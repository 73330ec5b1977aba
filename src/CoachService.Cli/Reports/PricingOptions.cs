using System.ComponentModel.DataAnnotations;
using CoachService.Cli.Replay;

namespace CoachService.Cli.Reports;

/// <summary>The price table of the report's cost estimate, section <c>Pricing</c>: US dollars per million tokens, per model.</summary>
public sealed class PricingOptions : IValidatableObject
{
    public const string SectionName = "Pricing";

    public Dictionary<string, ModelPrice> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The estimated cost of these calls; a model missing from the table costs nothing (the offline engine).</summary>
    public decimal Cost(IEnumerable<CallFacts> calls) => calls.Sum(c =>
        c.Model is { } model && Models.TryGetValue(model, out var price)
            ? (c.InputTokens * price.InputPerMillion + c.OutputTokens * price.OutputPerMillion) / 1_000_000m
            : 0m);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Models.Where(m => m.Value.InputPerMillion < 0 || m.Value.OutputPerMillion < 0)
            .Select(m => new ValidationResult($"{SectionName}:Models:{m.Key}: prices must not be negative.", [nameof(Models)]));
}

public sealed class ModelPrice
{
    public decimal InputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }
}
