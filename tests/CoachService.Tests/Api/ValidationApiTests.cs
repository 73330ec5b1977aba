using System.Net;

namespace CoachService.Tests.Api;

/// <summary>A request with several bad values is refused once, naming all of them, so a client fixes them together.</summary>
[Collection(ApiCollection.Name)]
public sealed class ValidationApiTests(ApiHost host)
{
    private static readonly string TooLong = new('x', 2001);

    public static TheoryData<string, string, string, string[]> BadBodies() => new()
    {
        {
            "PUT", "/api/me/preferences",
            """{"coach_persona":"drill_sergeant","timing":"night_owl","preferred_session_time":"7.30pm"}""",
            ["coach_persona", "timing", "preferred_session_time"]
        },
        {
            "POST", "/api/goals",
            $$"""{"goal_text":"  ","smart_goal":"{{TooLong}}","goal_type":"hobby"}""",
            ["goal_text", "smart_goal", "goal_type"]
        },
        {
            "POST", "/api/mood-checkins",
            """{"mood":"","intensity":11,"triggers":["work",""]}""",
            ["mood", "intensity", "triggers"]
        },
        {
            "PATCH", "/api/me",
            $$"""{"name":"{{new string('n', 201)}}","timezone":"Mars/Olympus_Mons","preferred_language":"tlh"}""",
            ["name", "timezone", "preferred_language"]
        },
    };

    [Trait("Suite", "Reliability")]
    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_body_with_three_bad_fields_gets_one_problem_naming_all_three(string method, string path, string body, string[] fields)
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.SendRawAsync(new HttpMethod(method), path, body);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("application/problem+json", refused.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(fields.Order(), refused.ErrorFields.Order());
        // Each field keeps the message it has when it is the only bad one.
        foreach (var field in fields)
        {
            var message = Assert.Single(refused.Json.GetProperty("errors").GetProperty(field).EnumerateArray()).GetString();
            Assert.StartsWith(field == "timezone" ? "timezone '" : field + " ", message);
        }
    }

    [Fact]
    public async Task A_goal_change_with_two_bad_values_names_both_and_changes_nothing()
    {
        var ana = await host.SignInAsync("Ana");
        var id = (await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Walk daily" })).Json.GetProperty("id").GetGuid();

        var refused = await ana.SendRawAsync(HttpMethod.Patch, $"/api/goals/{id}", """{"status":"done","progress_percentage":101}""");
        var goal = await ana.GetAsync($"/api/goals/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(["progress_percentage", "status"], refused.ErrorFields.Order());
        Assert.Equal((0, "active"), (goal.Json.GetProperty("progress_percentage").GetInt32(), goal.Json.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Both_paging_parameters_out_of_range_are_named()
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.GetAsync("/api/sessions?page=0&pageSize=0");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(["page", "pageSize"], refused.ErrorFields.Order());
    }
}
