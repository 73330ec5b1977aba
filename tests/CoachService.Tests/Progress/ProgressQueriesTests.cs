using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Progress;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Users;

namespace CoachService.Tests.Progress;

public sealed class ProgressQueriesTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task The_dashboard_and_the_session_summary_tell_the_users_own_story()
    {
        var clock = new Clock { Now = new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero) };
        await using var database = await CoachTestDatabase.CreateAsync(clock).WaitAsync(TimeSpan.FromMinutes(2));
        var user = await database.Get<UserAccounts>().CreateAsync(new NewUser("dash@example.com", "Noor", "Europe/Berlin"));
        var stranger = await database.Get<UserAccounts>().CreateAsync(new NewUser("stranger@example.com", "Other", "UTC"));

        await database.Get<PersonalityProfiles>().RecordAsync(user.Id,
            new PersonalityAssessmentResult("S", new DiscScores(0.1, 0.2, 0.6, 0.1), 9, 1, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2], 0.74, ["Calm"]), "t");
        await database.Get<CoachDatabase>().ForUserAsync(user.Id, db =>
        {
            db.CoachingPreferences.Add(new CoachingPreferences { UserId = user.Id, Timing = "evening_person", CoachPersona = "gentle_guide" });
            return Task.CompletedTask;
        });
        await database.Get<GoalBook>().CreateAsync(user.Id, new NewGoal("Sleep by eleven"));
        var done = await database.Get<GoalBook>().CreateAsync(user.Id, new NewGoal("Read a book"));
        await database.Get<GoalBook>().UpdateAsync(user.Id, done.Id, "completed", null);

        async Task CompleteAsync(Guid who, DateTimeOffset end, int minutes, string? virtue, params (string Emotion, int Intensity)[] emotions)
        {
            clock.Now = end.AddMinutes(-minutes);
            var session = await database.Get<CoachingSessions>().StartAsync(who, "spoken_presence");
            await database.Get<CoachService.Persistence.CoachDatabase>().ForUserAsync(who, db =>
            {
                db.Messages.Add(new Message { SessionId = session.Id, UserId = who, SequenceNumber = 1, Role = "user", Content = "Hi", CreatedAt = clock.GetUtcNow() });
                return Task.CompletedTask;
            });
            clock.Now = end;
            await database.Get<SessionCompletion>().CompleteAsync(who, session.Id, new SessionOutcome(
                virtue is null ? null : new VirtueEarned(virtue, "earned"),
                emotions.Select(e => new EmotionReading(e.Emotion, e.Intensity, "#336699", 0.8)).ToList()));
        }

        var start = new DateTimeOffset(2026, 11, 10, 18, 0, 0, TimeSpan.Zero);
        await CompleteAsync(user.Id, start, 10, "patience", ("calm", 2), ("tired", 3));
        await CompleteAsync(user.Id, start.AddDays(1), 20, "courage", ("anxious", 4), ("tired", 2));
        await CompleteAsync(user.Id, start.AddDays(2), 30, "patience", ("hopeful", 3), ("anxious", 2));
        await CompleteAsync(user.Id, start.AddDays(-40), 60, "gratitude", ("joyful", 5)); // outside 30 days
        await CompleteAsync(stranger.Id, start, 90, "honesty", ("angry", 5));
        clock.Now = start.AddDays(2).AddHours(1);

        var dashboard = await database.Get<ProgressQueries>().GetDashboardAsync(user.Id);
        Assert.Equal("Noor", dashboard.Name);
        Assert.Equal(("S", 9), (dashboard.DiscType, dashboard.EnneagramType));
        Assert.Equal(("evening_person", "gentle_guide"), (dashboard.Timing, dashboard.CoachPersona));
        Assert.Equal(3, dashboard.DailyStreak);
        Assert.Equal(3, dashboard.TotalVirtues); // patience, courage, gratitude
        Assert.Equal(3, dashboard.SessionsThisWeek);
        Assert.Equal(1, dashboard.ActiveGoals);
        Assert.True(dashboard.AchievementPoints > 0);

        var summary = await database.Get<ProgressQueries>().GetSessionSummaryAsync(user.Id, 30);
        Assert.Equal(3, summary.TotalSessions);
        Assert.Equal(20.0m, summary.AverageDurationMinutes);
        Assert.Equal("patience", summary.MostCommonVirtue);
        Assert.Equal(["anxious", "tired", "hopeful"], summary.DominantEmotions);

        var longer = await database.Get<ProgressQueries>().GetSessionSummaryAsync(user.Id, 60);
        Assert.Equal(4, longer.TotalSessions);
        Assert.DoesNotContain("angry", longer.DominantEmotions);

        // Two days later without a session the daily streak shown is broken.
        clock.Now = start.AddDays(4);
        Assert.Equal(0, (await database.Get<ProgressQueries>().GetDashboardAsync(user.Id)).DailyStreak);

        await Assert.ThrowsAsync<DomainValidationException>(() => database.Get<ProgressQueries>().GetSessionSummaryAsync(user.Id, 0));
    }
}
