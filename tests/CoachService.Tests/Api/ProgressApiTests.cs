using System.Net;

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
