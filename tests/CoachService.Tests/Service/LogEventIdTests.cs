using System.Reflection;
using CoachService.Persistence;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Service;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the service has its own event id, inside its area's range, so an
/// id found in a log names one line of code. The ranges are this table; a new area adds a row.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly (string Namespace, int First, int Last)[] Ranges =
    [
        ("CoachService.Persistence.Embedded", 1, 99),
        ("CoachService.Persistence", 100, 199),
        ("CoachService.Llm.Tasks", 1200, 1299),
        ("CoachService.Llm", 1000, 1099),
        ("CoachService.Prompts", 1100, 1199),
        ("CoachService.Conversations", 2000, 2199),
        ("CoachService.Sessions", 2200, 2299),
        ("CoachService.Api.Hubs", 3000, 3099),
        ("CoachService.Api.Auth", 3100, 3199),
        ("CoachService.Privacy", 4000, 4099),
    ];

    private static readonly Assembly[] ServiceAssemblies = [typeof(CoachDbContext).Assembly, typeof(Program).Assembly];

    private static List<(string Method, int EventId, string Namespace)> LogMethods() =>
        ServiceAssemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => ($"{x.Method.DeclaringType!.FullName}.{x.Method.Name}", x.Attribute!.EventId, x.Method.DeclaringType!.Namespace ?? ""))
            .ToList();

    [Fact]
    public void Log_event_ids_are_unique_across_the_service()
    {
        var methods = LogMethods();
        Assert.True(methods.Count > 30, $"the reflection found the log methods ({methods.Count})");

        var repeated = methods.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();
        Assert.True(repeated.Count == 0, "Repeated log event ids:\n  " + string.Join("\n  ", repeated));
    }

    [Fact]
    public void Each_log_event_id_lies_in_its_areas_range()
    {
        var outside = new List<string>();
        foreach (var (method, eventId, ns) in LogMethods())
        {
            // The most specific area whose namespace contains the method's.
            var area = Ranges.Where(r => ns == r.Namespace || ns.StartsWith(r.Namespace + ".", StringComparison.Ordinal))
                .OrderByDescending(r => r.Namespace.Length)
                .Select(r => ((string, int, int)?)r)
                .FirstOrDefault();
            if (area is not { } range)
            {
                outside.Add($"{method} ({eventId}): namespace {ns} has no range; add one to {nameof(LogEventIdTests)}.{nameof(Ranges)}");
            }
            else if (eventId < range.Item2 || eventId > range.Item3)
            {
                outside.Add($"{method} ({eventId}): outside {range.Item1}'s range {range.Item2}-{range.Item3}");
            }
        }

        Assert.True(outside.Count == 0, "Log event ids outside their area's range:\n  " + string.Join("\n  ", outside));
    }
}
