using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Progress;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Progress;

public sealed class SessionCompletionTests
{
    private static readonly Lazy<Task<CoachTestDatabase>> Shared = new(() => CoachTestDatabase.CreateAsync(Clock));
    private static readonly AsyncLocalClock Clock = new();

    /// <summary>Completes a session, with one user turn, that started 20 minutes before the given instant.</summary>
    private static async Task<SessionCompleted> SessionEndingAtAsync(CoachTestDatabase database, Guid userId, DateTimeOffset end, SessionOutcome? outcome = null)
    {
        Clock.Now = end.AddMinutes(-20);
        var session = await database.Get<CoachingSessions>().StartAsync(userId, "face_to_face");
        await UserTurnAsync(database, userId, session.Id);
        Clock.Now = end;
        return await database.Get<SessionCompletion>().CompleteAsync(userId, session.Id, outcome ?? new SessionOutcome());
    }

    internal static Task UserTurnAsync(CoachTestDatabase database, Guid userId, Guid sessionId) =>
        database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(userId, db =>
        {
            db.Messages.Add(new Message
            {
                SessionId = sessionId, UserId = userId, SequenceNumber = 1, Role = "user", Content = "Hello", ClientTurnId = "t1", CreatedAt = Clock.GetUtcNow(),
            });
            return Task.CompletedTask;
        });

    [Fact]
    public async Task A_session_without_a_user_turn_is_closed_but_earns_no_streak_achievement_or_count()
    {
        var (database, user) = await UserInAsync("UTC");
        var day = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        Clock.Now = day;
        var empty = await database.Get<CoachingSessions>().StartAsync(user, "face_to_face");
        Clock.Now = day.AddMinutes(5);
        var closed = await database.Get<SessionCompletion>().CompleteAsync(user, empty.Id, new SessionOutcome());

        Assert.Equal(0, closed.DailyStreak.Current);
        Assert.Empty(closed.NewAchievements);
        var summary = await database.Get<ProgressQueries>().GetSessionSummaryAsync(user, 30);
        Assert.Equal(0, summary.TotalSessions);
        var measures = await database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(user, db => AchievementEvaluator.MeasureAsync(db, CancellationToken.None));
        Assert.Equal(0, measures.SessionCount);

        // The same day with a turn counts.
        var real = await SessionEndingAtAsync(database, user, day.AddHours(1));
        Assert.Equal(1, real.DailyStreak.Current);
        Assert.Contains(real.NewAchievements, a => a.Code == "first_session");
    }

    private static async Task<(CoachTestDatabase, Guid)> UserInAsync(string timezone)
    {
        var database = await Shared.Value.WaitAsync(TimeSpan.FromMinutes(2));
        Clock.Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var user = await database.Get<UserAccounts>().CreateAsync(new NewUser($"{Guid.NewGuid():N}@example.com", "Sam", timezone));
        return (database, user.Id);
    }

    [Fact]
    public async Task Two_sessions_either_side_of_the_users_midnight_extend_the_streak_though_the_utc_date_is_the_same()
    {
        var (database, user) = await UserInAsync("America/New_York");
        // 23:50 and 00:10 New York time (EST, UTC-5): both on 11 March in UTC.
        var first = await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 3, 11, 3, 50, 0, TimeSpan.Zero));
        var second = await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 3, 11, 4, 10, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 3, 10), first.ActivityDate);
        Assert.Equal(new DateOnly(2026, 3, 11), second.ActivityDate);
        Assert.Equal(2, second.DailyStreak.Current);
    }

    [Fact]
    public async Task Two_sessions_on_the_users_same_day_keep_the_streak_though_the_utc_dates_differ_on_the_long_dst_day()
    {
        var (database, user) = await UserInAsync("America/New_York");
        // 1 November 2026 has 25 hours in New York (DST ends). 00:10 EDT is 04:10Z; 23:50 EST is 04:50Z the next day.
        await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 10, 31, 12, 0, 0, TimeSpan.Zero));
        var early = await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 11, 1, 4, 10, 0, TimeSpan.Zero));
        var late = await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 11, 2, 4, 50, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 11, 1), early.ActivityDate);
        Assert.Equal(new DateOnly(2026, 11, 1), late.ActivityDate);
        Assert.Equal(2, late.DailyStreak.Current);
    }

    [Fact]
    public async Task On_the_short_dst_day_the_next_local_day_still_extends_and_a_missed_day_resets()
    {
        var (database, user) = await UserInAsync("Europe/Lisbon");
        // 29 March 2026 has 23 hours in Lisbon. 23:30 on the 28th (WET) then 23:30 on the 29th (WEST): 23 hours apart.
        await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 3, 28, 23, 30, 0, TimeSpan.Zero));
        var next = await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 3, 29, 22, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 3, 29), next.ActivityDate);
        Assert.Equal(2, next.DailyStreak.Current);

        var afterGap = await SessionEndingAtAsync(database, user, new DateTimeOffset(2026, 3, 31, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal((1, 2), (afterGap.DailyStreak.Current, afterGap.DailyStreak.Longest));

        var stored = await database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(user, db =>
            db.Streaks.SingleAsync(s => s.StreakType == "daily_session"));
        Assert.Equal((1, 2, new DateOnly(2026, 3, 31)), (stored.CurrentStreak, stored.LongestStreak, stored.LastActivityDate));
    }

    [Fact]
    public async Task Achievements_are_awarded_once_and_their_points_added_once()
    {
        var (database, user) = await UserInAsync("Asia/Kolkata");
        var virtue = new VirtueEarned("Courage", "You named what scares you.");
        var day = new DateTimeOffset(2026, 5, 4, 12, 0, 0, TimeSpan.Zero);

        var first = await SessionEndingAtAsync(database, user, day, new SessionOutcome(virtue));
        Assert.Equal(["first_session", "first_virtue"], first.NewAchievements.Select(a => a.Code).Order().ToArray());

        var sameDay = await SessionEndingAtAsync(database, user, day.AddHours(2), new SessionOutcome(virtue));
        Assert.Empty(sameDay.NewAchievements);
        var third = await SessionEndingAtAsync(database, user, day.AddDays(1));
        Assert.Equal(["first_hour"], third.NewAchievements.Select(a => a.Code).ToArray()); // 3 × 20 minutes
        var fourth = await SessionEndingAtAsync(database, user, day.AddDays(2));
        Assert.Equal(["three_day_streak"], fourth.NewAchievements.Select(a => a.Code).ToArray());

        var (points, awards, timesEarned) = await database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(user, async db =>
            (await db.Users.Select(u => u.AchievementPoints).SingleAsync(),
             await db.UserAchievements.CountAsync(),
             await db.Virtues.Where(v => v.Name == "courage").Select(v => v.TimesEarned).SingleAsync()));
        Assert.Equal(10 + 10 + 25 + 20, points);
        Assert.Equal(4, awards);
        Assert.Equal(2, timesEarned);

        // Re-evaluating with nothing new awards nothing.
        var again = await database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(user, db =>
            AchievementEvaluator.EvaluateAsync(db, user, day.AddDays(3), CancellationToken.None));
        Assert.Empty(again);
    }

    [Fact]
    public async Task Completing_a_goal_counts_for_goal_achievements_and_the_weekly_goal_streak()
    {
        var (database, user) = await UserInAsync("UTC");
        Clock.Now = new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);
        var goal = await database.Get<GoalBook>().CreateAsync(user, new NewGoal("Call my sister every Sunday", GoalType: "relationships"));
        var (updated, earned) = await database.Get<GoalBook>().UpdateAsync(user, goal.Id, status: null, progressPercentage: 100);

        Assert.Equal("completed", updated.Status);
        Assert.Equal(["first_goal_completed"], earned.Select(a => a.Code).ToArray());
        var (_, again) = await database.Get<GoalBook>().UpdateAsync(user, goal.Id, status: "completed", progressPercentage: null);
        Assert.Empty(again);
        var weekly = await database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(user, db =>
            db.Streaks.SingleAsync(s => s.StreakType == "weekly_goal"));
        Assert.Equal(1, weekly.CurrentStreak);
    }

    [Fact]
    public async Task A_completed_goal_set_back_to_active_is_reopened_and_keeps_what_it_earned()
    {
        var (database, user) = await UserInAsync("UTC");
        Clock.Now = new DateTimeOffset(2026, 6, 8, 9, 0, 0, TimeSpan.Zero);
        var goals = database.Get<GoalBook>();
        var goal = await goals.CreateAsync(user, new NewGoal("Run 5 km", GoalType: "health"));
        await goals.UpdateAsync(user, goal.Id, status: null, progressPercentage: 40);
        var (completed, earned) = await goals.UpdateAsync(user, goal.Id, status: "completed", progressPercentage: null);
        Assert.Equal((100, true), (completed.ProgressPercentage, completed.CompletedAt is not null));

        Clock.Now = Clock.Now.AddDays(1);
        var (reopened, _) = await goals.UpdateAsync(user, goal.Id, status: "active", progressPercentage: null);

        Assert.Equal(("active", (DateTimeOffset?)null, GoalBook.ReopenedProgress), (reopened.Status, reopened.CompletedAt, reopened.ProgressPercentage));
        var stored = await goals.FindAsync(user, goal.Id);
        Assert.Equal(("active", (DateTimeOffset?)null, GoalBook.ReopenedProgress), (stored!.Status, stored.CompletedAt, stored.ProgressPercentage));

        // Completing it again dates the new completion and awards nothing twice.
        var (again, earnedAgain) = await goals.UpdateAsync(user, goal.Id, status: null, progressPercentage: 100);
        Assert.Equal(["first_goal_completed"], earned.Select(a => a.Code));
        Assert.Empty(earnedAgain);
        Assert.Equal(Clock.Now, again.CompletedAt);
    }

    [Fact]
    public async Task A_completed_session_cannot_be_completed_again_and_anothers_session_is_not_found()
    {
        var (database, user) = await UserInAsync("UTC");
        var (_, other) = await UserInAsync("UTC");
        Clock.Now = new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero);
        var session = await database.Get<CoachingSessions>().StartAsync(user, "written_clarity");

        var notYours = await Assert.ThrowsAsync<DomainNotFoundException>(() =>
            database.Get<SessionCompletion>().CompleteAsync(other, session.Id, new SessionOutcome()));
        Assert.Equal("session", notYours.What);

        await database.Get<SessionCompletion>().CompleteAsync(user, session.Id, new SessionOutcome());
        var twice = await Assert.ThrowsAsync<DomainStateException>(() =>
            database.Get<SessionCompletion>().CompleteAsync(user, session.Id, new SessionOutcome()));
        Assert.Equal("completed", twice.State);
    }

    /// <summary>Tests in this class run one after another (one collection), but share one database; the clock is per flow.</summary>
    private sealed class AsyncLocalClock : TimeProvider
    {
        private readonly AsyncLocal<DateTimeOffset> now = new();

        public DateTimeOffset Now
        {
            get => now.Value;
            set => now.Value = value;
        }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
