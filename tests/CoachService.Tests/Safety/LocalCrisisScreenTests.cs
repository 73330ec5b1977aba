using CoachService.Llm.Tasks;
using CoachService.Safety;
using CoachService.Tests.Offline;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Safety;

/// <summary>
/// The local crisis screen against a corpus per language (Safety/Corpus/*.txt): every crisis
/// line must get the crisis reply with its category, every ordinary line must not.
/// </summary>
public sealed class LocalCrisisScreenTests
{
    private static readonly LocalCrisisScreen Screen = new();

    public static TheoryData<string, int, string, string> Corpus()
    {
        var data = new TheoryData<string, int, string, string>();
        foreach (var line in CorpusLine.All())
        {
            data.Add(line.Language, line.Number, line.Grade, line.Message);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Each_corpus_line_is_graded_as_written(string language, int line, string grade, string message)
    {
        var result = Screen.Screen(message);
        var parts = grade.Split(' ');
        var because = $"{language}.txt line {line}: {result.RiskLevel} [{string.Join(", ", result.Categories)}]";

        switch (parts[0])
        {
            case "crisis":
                Assert.True(result.IsCrisis, because);
                Assert.True(result.Categories.Contains(parts[1]), because);
                break;
            case "elevated":
                Assert.False(result.IsCrisis, because);
                Assert.True(result.Risk == CrisisRisk.Elevated, because);
                Assert.True(result.Categories.Contains(parts[1]), because);
                break;
            default:
                Assert.Equal("not_crisis", grade);
                Assert.False(result.IsCrisis, because);
                Assert.True(result.Risk <= CrisisRisk.Low, because);
                break;
        }
    }

    [Theory]
    [InlineData("en")]
    [InlineData("pt")]
    [InlineData("es")]
    [InlineData("fr")]
    public void Each_language_has_at_least_fifteen_crisis_lines_and_fifteen_ordinary_ones(string language)
    {
        var lines = CorpusLine.All().Where(line => line.Language == language).ToList();

        Assert.True(lines.Count(line => line.Grade.StartsWith("crisis", StringComparison.Ordinal)) >= 15);
        Assert.True(lines.Count(line => line.Grade == "not_crisis") >= 15);
        Assert.Equal(DomainValues.Languages.Order(), CorpusLine.All().Select(line => line.Language).Distinct().Order());
    }

    [Fact]
    public void The_rationale_never_quotes_the_message()
    {
        foreach (var line in CorpusLine.All())
        {
            var rationale = Screen.Screen(line.Message).Rationale;
            Assert.DoesNotContain(line.Message, rationale, StringComparison.OrdinalIgnoreCase);
            Assert.InRange(rationale.Length, 1, 300);
        }
    }

    [Fact]
    public async Task The_offline_safety_screen_task_gives_the_local_screens_answer()
    {
        foreach (var line in CorpusLine.All())
        {
            var local = Screen.Screen(line.Message);
            var task = await OfflineTestKit.ResultAsync<SafetyScreenResult>(CoachTask.SafetyScreen, new Dictionary<string, object?> { ["message"] = line.Message });

            Assert.Equal(local.RiskLevel, task.RiskLevel);
            Assert.Equal(local.IsCrisis, task.IsCrisis);
            Assert.Equal(local.Categories, task.Categories);
        }
    }

    [Fact]
    public void The_domain_registers_one_screen_for_every_caller()
    {
        using var provider = new ServiceCollection().AddCoachSafety().AddCoachSafety().BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<LocalCrisisScreen>(), provider.GetRequiredService<LocalCrisisScreen>());
        Assert.Single(new ServiceCollection().AddCoachDomain(), service => service.ServiceType == typeof(LocalCrisisScreen));
    }

    private sealed record CorpusLine(string Language, int Number, string Grade, string Message)
    {
        public static IEnumerable<CorpusLine> All()
        {
            foreach (var language in DomainValues.Languages)
            {
                var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Safety", "Corpus", language + ".txt"));
                for (var i = 0; i < lines.Length; i++)
                {
                    var text = lines[i].Trim();
                    if (text.Length == 0 || text.StartsWith('#'))
                    {
                        continue;
                    }

                    var bar = text.IndexOf(" | ", StringComparison.Ordinal);
                    yield return new CorpusLine(language, i + 1, text[..bar].Trim(), text[(bar + 3)..].Trim());
                }
            }
        }
    }
}
