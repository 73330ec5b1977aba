using System.Net;
using System.Text.Json;

namespace CoachService.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class GoalsApiTests(ApiHost host)
{
    [Fact]
    public async Task A_created_goal_is_listed_and_can_be_read_back()
    {
        var ana = await host.SignInAsync("Ana");

        var created = await ana.SendAsync(HttpMethod.Post, "/api/goals", new
        {
            goal_text = "Sleep by eleven",
            smart_goal = "Lights out by 23:00 on five nights a week for a month",
            goal_type = "health",
            target_date = "2026-12-31",
        });
        var location = created.Response.Headers.Location?.OriginalString;
        var read = await ana.GetAsync(location!);
        var active = await ana.GetAsync("/api/goals?status=active");
        var completed = await ana.GetAsync("/api/goals?status=completed");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var goal = created.Json;
        Assert.Equal(("Sleep by eleven", "health", "2026-12-31", "user_created", 0),
            (goal.GetProperty("goal_text").GetString(), goal.GetProperty("goal_type").GetString(), goal.GetProperty("target_date").GetString(),
             goal.GetProperty("source").GetString(), goal.GetProperty("progress_percentage").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("Sleep by eleven", read.Json.GetProperty("goal_text").GetString());
        Assert.Equal(["Sleep by eleven"], active.Json.EnumerateArray().Select(g => g.GetProperty("goal_text").GetString()));
        Assert.Empty(completed.Json.EnumerateArray());
    }

    [Theory]
    [InlineData("""{"goal_text":""}""", "goal_text")]
    [InlineData("""{"smart_goal":"no text"}""", "goal_text")]
    [InlineData("""{"goal_text":"Paint","goal_type":"hobby"}""", "goal_type")]
    [InlineData("""{"goal_text":"Paint","target_date":"next week"}""", "target_date")]
    public async Task A_bad_goal_is_refused_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.SendRawAsync(HttpMethod.Post, "/api/goals", body);
        var goals = await ana.GetAsync("/api/goals");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal([field], refused.ErrorFields);
        Assert.Empty(goals.Json.EnumerateArray());
    }

    [Fact]
    public async Task Malformed_json_is_a_bad_request_without_internals()
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.SendRawAsync(HttpMethod.Post, "/api/goals", """{"goal_text": "Sleep""");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("application/problem+json", refused.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, refused.Json.GetProperty("status").GetInt32());
        Assert.DoesNotContain("Exception", refused.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", refused.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reaching_100_percent_completes_the_goal_and_earns_the_first_goal_achievement()
    {
        var ana = await host.SignInAsync("Ana");
        var id = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Read a book" })).Json.GetProperty("id").GetGuid();

        var halfway = await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { progress_percentage = 50 });
        var done = await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { progress_percentage = 100 });
        var me = await ana.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, halfway.Status);
        Assert.Equal((50, "active"), (halfway.Json.GetProperty("goal").GetProperty("progress_percentage").GetInt32(), halfway.Json.GetProperty("goal").GetProperty("status").GetString()));
        Assert.Empty(halfway.Json.GetProperty("new_achievements").EnumerateArray());
        Assert.Equal("completed", done.Json.GetProperty("goal").GetProperty("status").GetString());
        Assert.True(done.Json.GetProperty("goal").GetProperty("completed_at").TryGetDateTimeOffset(out _));
        var earned = done.Json.GetProperty("new_achievements").EnumerateArray().ToList();
        Assert.Equal(["Goal Getter"], earned.Select(a => a.GetProperty("title").GetString()));
        Assert.Equal(earned.Sum(a => a.GetProperty("points").GetInt32()), me.Json.GetProperty("achievement_points").GetInt32());
    }

    [Theory]
    [InlineData("""{"progress_percentage":101}""", "progress_percentage")]
    [InlineData("""{"progress_percentage":-1}""", "progress_percentage")]
    [InlineData("""{"status":"done"}""", "status")]
    public async Task A_bad_change_is_refused_naming_the_field_and_the_goal_stays_as_it_was(string body, string field)
    {
        var ana = await host.SignInAsync("Ana");
        var id = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Walk daily" })).Json.GetProperty("id").GetGuid();
        await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { progress_percentage = 30 });

        var refused = await ana.SendRawAsync(HttpMethod.Patch, $"/api/goals/{id}", body);
        var goal = await ana.GetAsync($"/api/goals/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal([field], refused.ErrorFields);
        Assert.Equal((30, "active"), (goal.Json.GetProperty("progress_percentage").GetInt32(), goal.Json.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_completed_goal_set_back_to_active_loses_its_completion_and_its_forced_100_percent()
    {
        var ana = await host.SignInAsync("Ana");
        var id = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Read a book a month" })).Json.GetProperty("id").GetGuid();
        await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { progress_percentage = 40 });
        await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { status = "completed" });

        var reopened = await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { status = "active" });
        var active = await ana.GetAsync("/api/goals?status=active");

        Assert.Equal(HttpStatusCode.OK, reopened.Status);
        var goal = reopened.Json.GetProperty("goal");
        Assert.Equal(("active", JsonValueKind.Null), (goal.GetProperty("status").GetString(), goal.GetProperty("completed_at").ValueKind));
        Assert.Equal(99, goal.GetProperty("progress_percentage").GetInt32());
        Assert.Equal([id], active.Json.EnumerateArray().Select(g => g.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task A_reopened_goal_takes_the_progress_sent_with_it_and_lower_progress_alone_reopens_it()
    {
        var ana = await host.SignInAsync("Ana");
        var first = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Stretch daily" })).Json.GetProperty("id").GetGuid();
        var second = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Journal daily" })).Json.GetProperty("id").GetGuid();
        var third = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Cook at home" })).Json.GetProperty("id").GetGuid();
        foreach (var id in new[] { first, second, third })
        {
            await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { progress_percentage = 100 });
        }

        var paused = (await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{first}", new { status = "paused", progress_percentage = 60 })).Json.GetProperty("goal");
        var lowered = (await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{second}", new { progress_percentage = 70 })).Json.GetProperty("goal");
        var archived = (await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{third}", new { status = "archived" })).Json.GetProperty("goal");
        var contradictory = await ana.SendAsync(HttpMethod.Patch, $"/api/goals/{third}", new { status = "active", progress_percentage = 100 });

        Assert.Equal(("paused", 60, JsonValueKind.Null), (paused.GetProperty("status").GetString(), paused.GetProperty("progress_percentage").GetInt32(), paused.GetProperty("completed_at").ValueKind));
        Assert.Equal(("active", 70, JsonValueKind.Null), (lowered.GetProperty("status").GetString(), lowered.GetProperty("progress_percentage").GetInt32(), lowered.GetProperty("completed_at").ValueKind));
        // Archiving a finished goal keeps the record of when it was finished.
        Assert.Equal(("archived", 100), (archived.GetProperty("status").GetString(), archived.GetProperty("progress_percentage").GetInt32()));
        Assert.True(archived.GetProperty("completed_at").TryGetDateTimeOffset(out _));
        Assert.Equal(HttpStatusCode.BadRequest, contradictory.Status);
        Assert.Equal(["progress_percentage"], contradictory.ErrorFields);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Nobody_sees_or_changes_someone_elses_goal()
    {
        var ana = await host.SignInAsync("Ana");
        var ben = await host.SignInAsync("Ben");
        var id = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Learn Portuguese" })).Json.GetProperty("id").GetGuid();
        await ben.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Run 5k" });

        var patch = await ben.SendAsync(HttpMethod.Patch, $"/api/goals/{id}", new { status = "archived" });
        var read = await ben.GetAsync($"/api/goals/{id}");
        var bens = await ben.GetAsync("/api/goals");
        var anas = await ana.GetAsync($"/api/goals/{id}");

        Assert.Equal(HttpStatusCode.NotFound, patch.Status);
        Assert.Equal(HttpStatusCode.NotFound, read.Status);
        Assert.Equal(["Run 5k"], bens.Json.EnumerateArray().Select(g => g.GetProperty("goal_text").GetString()));
        Assert.Equal("active", anas.Json.GetProperty("status").GetString());
    }
}
