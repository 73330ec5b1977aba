using System.Net;
using CoachService.Sessions;

namespace CoachService.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class SessionsApiTests(ApiHost host)
{
    [Fact]
    public async Task The_session_list_is_paged_newest_first_with_message_counts()
    {
        var ana = await host.SignInAsync("Ana");
        var first = await host.CompletedSessionAsync(ana.Id);
        var second = (await host.Get<CoachingSessions>().StartAsync(ana.Id, "written_clarity").WaitAsync(ApiHost.AwaitLimit)).Id;
        var third = (await host.Get<CoachingSessions>().StartAsync(ana.Id, "silent_reflection").WaitAsync(ApiHost.AwaitLimit)).Id;

        var pageOne = await ana.GetAsync("/api/sessions?page=1&pageSize=2");
        var pageTwo = await ana.GetAsync("/api/sessions?page=2&pageSize=2");
        var all = await ana.GetAsync("/api/sessions");

        Assert.Equal(HttpStatusCode.OK, pageOne.Status);
        Assert.Equal([third, second], pageOne.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal([first], pageTwo.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal((2, 2, 3), (pageTwo.Json.GetProperty("page").GetInt32(), pageTwo.Json.GetProperty("page_size").GetInt32(), pageTwo.Json.GetProperty("total").GetInt32()));
        Assert.Equal(20, all.Json.GetProperty("page_size").GetInt32());

        var completed = pageTwo.Json.GetProperty("items")[0];
        Assert.Equal("spoken_presence", completed.GetProperty("type").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("wise_mentor", completed.GetProperty("persona").GetString());
        Assert.Equal("courage", completed.GetProperty("virtue_earned").GetString());
        Assert.Equal(4, completed.GetProperty("message_count").GetInt32());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", completed.GetProperty("session_date").GetString());
        Assert.True(completed.GetProperty("started_at").TryGetDateTimeOffset(out _));
        Assert.Equal(0, pageOne.Json.GetProperty("items")[0].GetProperty("message_count").GetInt32());
    }

    [Theory]
    [InlineData("/api/sessions?page=0", "page")]
    [InlineData("/api/sessions?pageSize=101", "pageSize")]
    [InlineData("/api/sessions?page=2147483647&pageSize=100", "page")]
    [InlineData("/api/sessions?page=21474837&pageSize=100", "page")]
    [InlineData("/api/sessions?page=99999999999", "page")]
    [InlineData("/api/sessions?page=1&pageSize=99999999999", "pageSize")]
    [InlineData("/api/sessions?page=-99999999999", "page")]
    [InlineData("/api/progress/summary?days=99999999999", "days")]
    [InlineData("/api/progress/summary?days=2147483647", "days")]
    [InlineData("/api/mood-checkins?days=99999999999", "days")]
    [InlineData("/api/mood-checkins?days=2147483647", "days")]
    [InlineData("/api/mood-checkins?days=-2147483648", "days")]
    public async Task Paging_out_of_range_is_refused_naming_the_parameter(string path, string field)
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal([field], refused.ErrorFields);
    }

    [Theory]
    [InlineData(21474836, 100)]
    [InlineData(2147483647, 1)]
    public async Task The_last_page_that_can_be_counted_to_is_an_empty_page(int page, int pageSize)
    {
        var ana = await host.SignInAsync("Ana");
        await host.CompletedSessionAsync(ana.Id);

        var answer = await ana.GetAsync($"/api/sessions?page={page}&pageSize={pageSize}");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Empty(answer.Json.GetProperty("items").EnumerateArray());
        Assert.Equal((page, 1), (answer.Json.GetProperty("page").GetInt32(), answer.Json.GetProperty("total").GetInt32()));
    }

    [Fact]
    public async Task A_query_value_of_the_wrong_type_is_a_bad_request()
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.GetAsync("/api/sessions?page=first");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("application/problem+json", refused.Response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Exception", refused.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_detail_has_the_summary_the_metrics_and_the_messages_in_order()
    {
        var ana = await host.SignInAsync("Ana");
        var id = await host.CompletedSessionAsync(ana.Id);

        var detail = await ana.GetAsync($"/api/sessions/{id}");

        Assert.Equal(HttpStatusCode.OK, detail.Status);
        var json = detail.Json;
        Assert.Equal(id, json.GetProperty("id").GetGuid());
        Assert.Equal("anxious", json.GetProperty("emotional_snapshot")[0].GetProperty("emotion").GetString());
        Assert.Equal("Deadlines feel unrealistic", json.GetProperty("key_insights")[0].GetProperty("insight").GetString());
        Assert.Equal(["Talk to my manager about deadlines", "Breathe before meetings"],
            json.GetProperty("suggested_goals").EnumerateArray().Select(g => g.GetProperty("description").GetString()));
        Assert.Equal(["first_token_ms", "turns"], json.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        var messages = json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4], messages.Select(m => m.GetProperty("sequence").GetInt32()));
        Assert.Equal(["user", "assistant", "user", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("That the deadlines are not realistic.", messages[2].GetProperty("content").GetString());
        Assert.Equal(("text", false, "turn-1"),
            (messages[1].GetProperty("kind").GetString(), messages[1].GetProperty("interrupted").GetBoolean(), messages[1].GetProperty("turn_id").GetString()));
        Assert.True(messages[0].GetProperty("created_at").TryGetDateTimeOffset(out _));
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Someone_elses_session_is_not_found_exactly_like_a_missing_one()
    {
        var ana = await host.SignInAsync("Ana");
        var ben = await host.SignInAsync("Ben");
        var anas = await host.CompletedSessionAsync(ana.Id);

        var foreign = await ben.GetAsync($"/api/sessions/{anas}");
        var missing = await ben.GetAsync($"/api/sessions/{Guid.NewGuid()}");
        var bensList = await ben.GetAsync("/api/sessions");

        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        Assert.Equal("application/problem+json", foreign.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(missing.Status, foreign.Status);
        Assert.Equal(missing.Json.GetProperty("detail").GetString(), foreign.Json.GetProperty("detail").GetString());
        Assert.Equal(0, bensList.Json.GetProperty("total").GetInt32());
        Assert.Empty(bensList.Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Accepting_a_suggested_goal_makes_a_goal_once()
    {
        var ana = await host.SignInAsync("Ana");
        var session = await host.CompletedSessionAsync(ana.Id);

        var accepted = await ana.SendAsync(HttpMethod.Post, $"/api/sessions/{session}/suggested-goals/1/accept");
        var again = await ana.SendAsync(HttpMethod.Post, $"/api/sessions/{session}/suggested-goals/1/accept");
        var noSuchIndex = await ana.SendAsync(HttpMethod.Post, $"/api/sessions/{session}/suggested-goals/2/accept");
        var noSuchSession = await ana.SendAsync(HttpMethod.Post, $"/api/sessions/{Guid.NewGuid()}/suggested-goals/0/accept");
        var goals = await ana.GetAsync("/api/goals");

        Assert.Equal(HttpStatusCode.Created, accepted.Status);
        var goal = accepted.Json;
        Assert.Equal("Breathe before meetings", goal.GetProperty("goal_text").GetString());
        Assert.Equal("Take three slow breaths before each meeting for two weeks", goal.GetProperty("smart_goal").GetString());
        Assert.Equal(("mindfulness", "session_suggestion", "active"),
            (goal.GetProperty("goal_type").GetString(), goal.GetProperty("source").GetString(), goal.GetProperty("status").GetString()));
        Assert.Equal(session, goal.GetProperty("suggested_by_session_id").GetGuid());
        Assert.Equal($"/api/goals/{goal.GetProperty("id").GetGuid()}", accepted.Response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("application/problem+json", again.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, noSuchIndex.Status);
        Assert.Equal(HttpStatusCode.NotFound, noSuchSession.Status);
        Assert.Single(goals.Json.EnumerateArray());
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Nobody_can_accept_a_goal_suggested_in_someone_elses_session()
    {
        var ana = await host.SignInAsync("Ana");
        var ben = await host.SignInAsync("Ben");
        var anas = await host.CompletedSessionAsync(ana.Id);

        var refused = await ben.SendAsync(HttpMethod.Post, $"/api/sessions/{anas}/suggested-goals/0/accept");
        var bensGoals = await ben.GetAsync("/api/goals");
        var anasGoals = await ana.GetAsync("/api/goals");

        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        Assert.Empty(bensGoals.Json.EnumerateArray());
        Assert.Empty(anasGoals.Json.EnumerateArray());
    }
}
