using System.Net;
using System.Text.Json;

namespace CoachService.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ProgressApiTests(ApiHost host)
{
    [Fact]
    public async Task Virtues_dashboard_and_summary_reflect_completed_sessions()
    {
        var ana = await host.SignInAsync("Ana");
        await host.CompletedSessionAsync(ana.Id, "courage");
        await host.CompletedSessionAsync(ana.Id, "patience");
        await host.CompletedSessionAsync(ana.Id, "courage");
        await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Sleep by eleven" });

        var virtues = await ana.GetAsync("/api/virtues");
        var dashboard = await ana.GetAsync("/api/dashboard");
        var summary = await ana.GetAsync("/api/progress/summary?days=7");

        Assert.Equal(HttpStatusCode.OK, virtues.Status);
        var collection = virtues.Json.EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("times_earned").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["courage"] = 2, ["patience"] = 1 }, collection);

        Assert.Equal(HttpStatusCode.OK, dashboard.Status);
        Assert.Equal(("Ana", 2, 1, 3), (dashboard.Json.GetProperty("name").GetString(), dashboard.Json.GetProperty("total_virtues").GetInt32(),
            dashboard.Json.GetProperty("active_goals").GetInt32(), dashboard.Json.GetProperty("sessions_this_week").GetInt32()));
        Assert.Equal(1, dashboard.Json.GetProperty("daily_streak").GetInt32());
        Assert.True(dashboard.Json.GetProperty("achievement_points").GetInt32() > 0);

        Assert.Equal(HttpStatusCode.OK, summary.Status);
        Assert.Equal((7, 3, "courage"), (summary.Json.GetProperty("days").GetInt32(), summary.Json.GetProperty("total_sessions").GetInt32(),
            summary.Json.GetProperty("most_common_virtue").GetString()));
        Assert.Equal(["anxious"], summary.Json.GetProperty("dominant_emotions").EnumerateArray().Select(e => e.GetString()));
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Another_users_progress_is_not_counted()
    {
        var ana = await host.SignInAsync("Ana");
        var ben = await host.SignInAsync("Ben");
        await host.CompletedSessionAsync(ana.Id, "courage");

        var virtues = await ben.GetAsync("/api/virtues");
        var summary = await ben.GetAsync("/api/progress/summary");

        Assert.Empty(virtues.Json.EnumerateArray());
        Assert.Equal((30, 0), (summary.Json.GetProperty("days").GetInt32(), summary.Json.GetProperty("total_sessions").GetInt32()));
    }

    [Fact]
    public async Task A_new_users_dashboard_shows_the_preferences_in_force_the_defaults()
    {
        var ana = await host.SignInAsync("Ana");

        var dashboard = await ana.GetAsync("/api/dashboard");
        var preferences = await ana.GetAsync("/api/me/preferences");

        Assert.Equal(("flexible", "warm_friend"),
            (dashboard.Json.GetProperty("timing").GetString(), dashboard.Json.GetProperty("coach_persona").GetString()));
        Assert.Equal((preferences.Json.GetProperty("timing").GetString(), preferences.Json.GetProperty("coach_persona").GetString()),
            (dashboard.Json.GetProperty("timing").GetString(), dashboard.Json.GetProperty("coach_persona").GetString()));
    }

    [Fact]
    public async Task Achievements_list_the_catalogue_with_the_callers_awards_only()
    {
        var ana = await host.SignInAsync("Ana");
        var ben = await host.SignInAsync("Ben");
        await host.CompletedSessionAsync(ana.Id, "courage");

        var anas = await ana.GetAsync("/api/achievements");
        var bens = await ben.GetAsync("/api/achievements");

        Assert.Equal(HttpStatusCode.OK, anas.Status);
        var catalogue = anas.Json.EnumerateArray().ToList();
        Assert.Equal(12, catalogue.Count);
        var earned = catalogue.Where(a => a.GetProperty("earned").GetBoolean()).ToList();
        Assert.Equal(["first_session", "first_virtue"], earned.Select(a => a.GetProperty("code").GetString()).Order());
        Assert.All(earned, a =>
        {
            Assert.Equal(1, a.GetProperty("achieved_value").GetInt32());
            Assert.Equal(10, a.GetProperty("points").GetInt32());
            Assert.True(a.GetProperty("earned_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(-1));
        });
        // Earned ones come first, so a client can show them without sorting.
        Assert.All(catalogue.Take(2), a => Assert.True(a.GetProperty("earned").GetBoolean()));
        var unearned = catalogue.Single(a => a.GetProperty("code").GetString() == "week_streak");
        Assert.Equal(JsonValueKind.Null, unearned.GetProperty("earned_at").ValueKind);
        Assert.Equal(("streak", 7), (unearned.GetProperty("criteria").GetProperty("type").GetString(), unearned.GetProperty("criteria").GetProperty("target").GetInt32()));
        var dashboard = await ana.GetAsync("/api/dashboard");
        Assert.Equal(earned.Sum(a => a.GetProperty("points").GetInt32()), dashboard.Json.GetProperty("achievement_points").GetInt32());

        Assert.Equal(12, bens.Json.GetArrayLength());
        Assert.DoesNotContain(bens.Json.EnumerateArray(), a => a.GetProperty("earned").GetBoolean());
    }

    [Theory]
    [InlineData("/api/progress/summary?days=0")]
    [InlineData("/api/progress/summary?days=3661")]
    public async Task A_summary_period_out_of_range_is_refused_naming_days(string path)
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(["days"], refused.ErrorFields);
    }
}
