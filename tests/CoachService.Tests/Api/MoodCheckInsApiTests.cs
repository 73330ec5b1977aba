using System.Net;

namespace CoachService.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class MoodCheckInsApiTests(ApiHost host)
{
    [Fact]
    public async Task A_check_in_is_recorded_and_listed_newest_first()
    {
        var ana = await host.SignInAsync("Ana");

        var first = await ana.SendAsync(HttpMethod.Post, "/api/mood-checkins", new { mood = "tired", intensity = 4 });
        var second = await ana.SendAsync(HttpMethod.Post, "/api/mood-checkins",
            new { mood = "hopeful", intensity = 7, context = "After the talk with my manager", triggers = new[] { "work", "sleep" } });
        var list = await ana.GetAsync("/api/mood-checkins?days=30");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal(["hopeful", "tired"], list.Json.EnumerateArray().Select(m => m.GetProperty("mood").GetString()));
        var latest = list.Json[0];
        Assert.Equal((7, "After the talk with my manager"), (latest.GetProperty("intensity").GetInt32(), latest.GetProperty("context").GetString()));
        Assert.Equal(["work", "sleep"], latest.GetProperty("triggers").EnumerateArray().Select(t => t.GetString()));
        Assert.True(latest.GetProperty("recorded_at").TryGetDateTimeOffset(out _));
    }

    [Theory]
    [InlineData("""{"mood":"calm","intensity":11}""", "intensity")]
    [InlineData("""{"mood":"calm","intensity":0}""", "intensity")]
    [InlineData("""{"mood":"","intensity":5}""", "mood")]
    [InlineData("""{"mood":"an extremely long description of a mood that goes on","intensity":5}""", "mood")]
    [InlineData("""{"mood":"calm","intensity":"high"}""", "intensity")]
    [InlineData("""{"mood":"calm","intensity":5,"triggers":["work",""]}""", "triggers")]
    [InlineData("""{"mood":"ca\u0000lm","intensity":5}""", "mood")]
    [InlineData("""{"mood":"calm","intensity":5,"context":"a\u0000b"}""", "context")]
    public async Task A_bad_check_in_is_refused_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.SendRawAsync(HttpMethod.Post, "/api/mood-checkins", body);
        var list = await ana.GetAsync("/api/mood-checkins");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal([field], refused.ErrorFields);
        Assert.Empty(list.Json.EnumerateArray());
    }

    [Fact]
    public async Task A_nul_character_in_a_body_is_a_400_that_says_so_not_a_server_error()
    {
        var ana = await host.SignInAsync("Ana");

        var refused = await ana.SendRawAsync(HttpMethod.Post, "/api/mood-checkins", """{"mood":"calm","intensity":5,"context":"a\u0000b"}""");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("context must not contain NUL characters", refused.Json.ToString());
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Nobody_sees_someone_elses_check_ins()
    {
        var ana = await host.SignInAsync("Ana");
        var ben = await host.SignInAsync("Ben");
        await ana.SendAsync(HttpMethod.Post, "/api/mood-checkins", new { mood = "anxious", intensity = 8 });

        var bens = await ben.GetAsync("/api/mood-checkins");

        Assert.Equal(HttpStatusCode.OK, bens.Status);
        Assert.Empty(bens.Json.EnumerateArray());
    }
}
