namespace CoachService.Progress;

/// <summary>The period a streak counts in.</summary>
public enum StreakPeriod
{
    Day,

    /// <summary>ISO weeks, Monday to Sunday.</summary>
    Week,
    Month,
}

/// <summary>A streak's figures.</summary>
public sealed record StreakState(int Current, int Longest, DateOnly? LastActivity, DateOnly? Start)
{
    public static StreakState None { get; } = new(0, 0, null, null);
}

/// <summary>
/// Seed 000's streak semantics, for any period: activity in the same period keeps the streak,
/// activity in the next period extends it, a gap resets it to one; the longest is kept. Dates are
/// local dates in the user's time zone, so midnight and DST are the user's, not the server's.
/// </summary>
public static class StreakRules
{
    public static StreakState Advance(StreakState state, DateOnly activity, StreakPeriod period)
    {
        if (state.LastActivity is not { } last || state.Current == 0)
        {
            return new StreakState(1, Math.Max(state.Longest, 1), activity, activity);
        }

        var activityPeriod = PeriodStart(activity, period);
        var lastPeriod = PeriodStart(last, period);
        if (activityPeriod < lastPeriod)
        {
            // A late report of older activity: the streak already counted past it.
            return state;
        }

        if (activityPeriod == lastPeriod)
        {
            return state with { LastActivity = activity > last ? activity : last };
        }

        if (activityPeriod == Next(lastPeriod, period))
        {
            var current = state.Current + 1;
            return new StreakState(current, Math.Max(state.Longest, current), activity, state.Start ?? activity);
        }

        return new StreakState(1, Math.Max(state.Longest, 1), activity, activity);
    }

    /// <summary>The streak as the user sees it today: zero once a whole period has passed without activity.</summary>
    public static int CurrentAsOf(StreakState state, DateOnly today, StreakPeriod period)
    {
        if (state.LastActivity is not { } last)
        {
            return 0;
        }

        var lastPeriod = PeriodStart(last, period);
        var todayPeriod = PeriodStart(today, period);
        return todayPeriod == lastPeriod || todayPeriod == Next(lastPeriod, period) ? state.Current : 0;
    }

    public static StreakPeriod PeriodOf(string streakType) => streakType switch
    {
        "daily_session" => StreakPeriod.Day,
        "weekly_goal" => StreakPeriod.Week,
        "monthly_virtue" => StreakPeriod.Month,
        _ => throw new ArgumentOutOfRangeException(nameof(streakType), streakType, "unknown streak type"),
    };

    private static DateOnly PeriodStart(DateOnly date, StreakPeriod period) => period switch
    {
        StreakPeriod.Day => date,
        StreakPeriod.Week => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
        StreakPeriod.Month => new DateOnly(date.Year, date.Month, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(period)),
    };

    private static DateOnly Next(DateOnly periodStart, StreakPeriod period) => period switch
    {
        StreakPeriod.Day => periodStart.AddDays(1),
        StreakPeriod.Week => periodStart.AddDays(7),
        StreakPeriod.Month => periodStart.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(period)),
    };
}
