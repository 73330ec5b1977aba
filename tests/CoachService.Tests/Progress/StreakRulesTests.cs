using CoachService.Progress;

namespace CoachService.Tests.Progress;

public sealed class StreakRulesTests
{
    private static readonly DateOnly Monday = new(2026, 11, 16);

    [Fact]
    public void The_first_activity_starts_a_streak_of_one()
    {
        var state = StreakRules.Advance(StreakState.None, Monday, StreakPeriod.Day);
        Assert.Equal(new StreakState(1, 1, Monday, Monday), state);
    }

    [Fact]
    public void Same_day_keeps_next_day_extends_a_gap_resets_and_the_longest_is_kept()
    {
        var state = StreakRules.Advance(StreakState.None, Monday, StreakPeriod.Day);
        state = StreakRules.Advance(state, Monday, StreakPeriod.Day);
        Assert.Equal(1, state.Current);

        state = StreakRules.Advance(state, Monday.AddDays(1), StreakPeriod.Day);
        state = StreakRules.Advance(state, Monday.AddDays(2), StreakPeriod.Day);
        Assert.Equal((3, 3), (state.Current, state.Longest));
        Assert.Equal(Monday, state.Start);

        state = StreakRules.Advance(state, Monday.AddDays(4), StreakPeriod.Day);
        Assert.Equal((1, 3), (state.Current, state.Longest));
        Assert.Equal(Monday.AddDays(4), state.Start);

        state = StreakRules.Advance(state, Monday.AddDays(5), StreakPeriod.Day);
        Assert.Equal((2, 3), (state.Current, state.Longest));
    }

    [Fact]
    public void A_late_report_of_an_earlier_day_changes_nothing()
    {
        var state = new StreakState(4, 6, Monday, Monday.AddDays(-3));
        Assert.Equal(state, StreakRules.Advance(state, Monday.AddDays(-2), StreakPeriod.Day));
    }

    [Fact]
    public void Weekly_streaks_count_iso_weeks_and_monthly_streaks_count_calendar_months()
    {
        var sunday = Monday.AddDays(6);
        var week = StreakRules.Advance(StreakState.None, Monday, StreakPeriod.Week);
        week = StreakRules.Advance(week, sunday, StreakPeriod.Week);
        Assert.Equal(1, week.Current);
        week = StreakRules.Advance(week, sunday.AddDays(1), StreakPeriod.Week);
        Assert.Equal(2, week.Current);
        week = StreakRules.Advance(week, sunday.AddDays(15), StreakPeriod.Week);
        Assert.Equal(1, week.Current);

        var month = StreakRules.Advance(StreakState.None, new DateOnly(2026, 1, 31), StreakPeriod.Month);
        month = StreakRules.Advance(month, new DateOnly(2026, 2, 1), StreakPeriod.Month);
        Assert.Equal(2, month.Current);
        month = StreakRules.Advance(month, new DateOnly(2026, 4, 1), StreakPeriod.Month);
        Assert.Equal((1, 2), (month.Current, month.Longest));
    }

    [Fact]
    public void The_streak_shown_today_is_zero_once_a_whole_day_was_missed()
    {
        var state = new StreakState(5, 5, Monday, Monday.AddDays(-4));
        Assert.Equal(5, StreakRules.CurrentAsOf(state, Monday, StreakPeriod.Day));
        Assert.Equal(5, StreakRules.CurrentAsOf(state, Monday.AddDays(1), StreakPeriod.Day));
        Assert.Equal(0, StreakRules.CurrentAsOf(state, Monday.AddDays(2), StreakPeriod.Day));
        Assert.Equal(0, StreakRules.CurrentAsOf(StreakState.None, Monday, StreakPeriod.Day));
    }
}
