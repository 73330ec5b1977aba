using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Conversations;

public sealed class JourneyTests
{
    [Fact]
    public async Task Onboarding_then_two_coaching_sessions_use_the_stored_profile_and_goals()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Coaching:AssessmentAnswers"] = "3", ["Coaching:TurnBurst"] = "50" });
        harness.CoachReply = request => Testing.FakeResponse.Reply(request.Messages[0].Content.Contains("assessment", StringComparison.OrdinalIgnoreCase)
            ? "What gives you energy at work? Tell me about a recent day."
            : "You are making progress. What is the next small step?");
        await using var sam = await harness.ConnectAsync("sam@example.com", "Sam");

        // Onboarding: questions until three answers, then the profile is scored and stored.
        var onboarding = await sam.StartSessionAsync("onboarding_assessment");
        var question = await sam.TalkAsync(onboarding.SessionId, "o1", "Hi, I am ready to start.");
        Assert.Equal("assessment_question", question.Kind);
        await sam.TalkAsync(onboarding.SessionId, "o2", "I like to take charge and get results fast.");
        var closing = await sam.TalkAsync(onboarding.SessionId, "o3", "Stress at work is my main worry; I want to walk more.");
        var onboarded = await CoachClient.WaitForAsync(() => sam.Onboarded.FirstOrDefault());
        Assert.Contains("Thank you, Sam", closing.Content);
        Assert.Equal(("D", 3, 4), (onboarded.DiscType, onboarded.EnneagramType, onboarded.EnneagramWing));
        Assert.Equal(["work_life_balance"], onboarded.FocusCategories);
        await sam.InvokeAsync<SessionSummary>("EndSession", onboarding.SessionId);

        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(sam.UserId, async db => new
        {
            User = await db.Users.SingleAsync(),
            Profile = await db.PersonalityAssessments.SingleAsync(),
            Categories = await db.EmotionalFocusCategories.Select(c => c.Category).ToListAsync(),
            Goals = await db.Goals.ToListAsync(),
        });
        Assert.True(stored.User.OnboardingCompleted);
        Assert.Equal(0.72m, stored.Profile.Confidence);
        Assert.Equal(PromptProvenanceTests.HashOf(Assert.Single(harness.RequestsFor("assessment_scoring"))), stored.Profile.PromptHash);
        Assert.Contains("I like to take charge", stored.Profile.AssessmentTranscript);
        Assert.Equal(["work_life_balance"], stored.Categories);
        var firstGoal = Assert.Single(stored.Goals);
        Assert.Equal("onboarding", firstGoal.Source);

        // Two coaching sessions: the profile and the goal reach the prompt; the first session's insight reaches the second.
        for (var i = 1; i <= 2; i++)
        {
            var session = await sam.StartSessionAsync("face_to_face", "confident_coach");
            await sam.TalkAsync(session.SessionId, $"c{i}", "Today was busy but I walked in the morning.");
            var prompt = harness.TextRequests[^1].Messages;
            var system = prompt[0].Content;
            var user = prompt[^1].Content;
            Assert.Contains("confident_coach", system);
            Assert.Contains("DISC type is D", system);
            Assert.Contains("Enneagram type is 3", system);
            Assert.Contains("Walk before work", user);
            Assert.Contains("Name: Sam", user);
            if (i == 2)
            {
                Assert.Contains("Saying no protects the mornings.", user);
            }

            await sam.InvokeAsync<SessionSummary>("EndSession", session.SessionId);
        }
    }

    [Fact]
    public async Task Ending_a_session_stores_virtue_insights_goals_snapshot_streak_achievements_and_metrics()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("ending@example.com");
        var session = await ana.StartSessionAsync();
        await ana.TalkAsync(session.SessionId, "t1", "I keep saying yes to everything at work.");
        await ana.TalkAsync(session.SessionId, "t2", "Maybe I could protect my mornings.");

        var summary = await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        Assert.Equal("completed", summary.Status);
        Assert.Equal("courage", summary.Virtue!.Name);
        Assert.Equal("work_life_balance", Assert.Single(summary.KeyInsights).Category);
        var offered = Assert.Single(summary.SuggestedGoals);
        Assert.Equal(0, offered.Index);
        Assert.Equal("hopeful", Assert.Single(summary.EmotionalSnapshot).Emotion);
        Assert.Equal(1, summary.DailyStreak);
        Assert.Contains(summary.NewAchievements, a => a.Code == "first_session");
        Assert.Contains(summary.NewAchievements, a => a.Code == "first_virtue");
        Assert.Equal(2, summary.Metrics["turns"]);
        Assert.Equal(0, summary.Metrics["interruptions"]);
        Assert.True(summary.Metrics["output_tokens"] > 0);

        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, async db => new
        {
            Session = await db.Sessions.SingleAsync(),
            Virtue = await db.Virtues.SingleAsync(),
            Streak = await db.Streaks.SingleAsync(s => s.StreakType == "daily_session"),
            Achievements = await db.UserAchievements.CountAsync(),
            Metrics = await db.SessionMetrics.ToDictionaryAsync(m => m.Name, m => m.Value),
        });
        Assert.Equal(SessionStatus.Completed, stored.Session.Status);
        Assert.Equal("courage", stored.Session.VirtueEarned);
        Assert.NotNull(stored.Session.CompletedAt);
        Assert.NotNull(stored.Session.DurationSeconds);
        Assert.Equal("Walk before work", stored.Session.SuggestedGoals!.Single().Description);
        Assert.Equal("hopeful", stored.Session.EmotionalSnapshot!.Single().Emotion);
        Assert.Equal(12, stored.Session.Metadata["prompt_version.session_summary"].Length);
        Assert.Equal("courage", stored.Virtue.Name);
        Assert.Equal(1, stored.Streak.CurrentStreak);
        Assert.True(stored.Achievements >= 2);
        Assert.Equal(2m, stored.Metrics["turns"]);
        Assert.True(stored.Metrics.ContainsKey("avg_time_to_first_token_ms"));
        Assert.True(stored.Metrics.ContainsKey("duration_seconds"));

        // The user takes the suggestion: it becomes a goal that remembers where it came from.
        var goal = await ana.InvokeAsync<Goals.Goal>("AcceptSuggestedGoal", session.SessionId, offered.Index);
        Assert.Equal(("session_suggestion", session.SessionId), (goal.Source, goal.SuggestedBySessionId));
        Assert.Contains("Walk", goal.GoalText);
        var twice = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(
            () => ana.InvokeAsync<Goals.Goal>("AcceptSuggestedGoal", session.SessionId, offered.Index));
        Assert.Contains("HubException: conflict", twice.Message);
    }

    [Fact]
    public async Task With_its_defaults_the_service_coaches_through_the_offline_engine()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Llm:Provider"] = "offline" });
        await using var ana = await harness.ConnectAsync("offline@example.com", "Ana");
        var session = await ana.StartSessionAsync("face_to_face", "warm_friend");

        var reply = await ana.TalkAsync(session.SessionId, "t1", "I'm worried about my exams next week.");
        var emotions = await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        var summary = await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        Assert.Equal("coach-offline-heuristic-1", reply.Model);
        Assert.Contains("exams", reply.Content, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(emotions.Emotions);
        Assert.NotNull(summary.Virtue);
        Assert.NotEmpty(summary.SuggestedGoals);
        Assert.Empty(harness.Llm.Requests); // nothing went to a model
    }
}
