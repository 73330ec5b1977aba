using System.Net;
using System.Text.Json;

namespace CoachService.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class PrivacyApiTests(ApiHost host)
{
    [Fact]
    public async Task The_export_is_a_download_of_everything_the_user_owns()
    {
        var ana = await host.SignInAsync("Ana");
        var session = await host.CompletedSessionAsync(ana.Id);
        await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Sleep by eleven" });
        await ana.SendAsync(HttpMethod.Post, "/api/mood-checkins", new { mood = "calm", intensity = 3 });

        var export = await ana.GetAsync("/api/me/export");

        Assert.Equal(HttpStatusCode.OK, export.Status);
        Assert.Equal("application/json", export.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", export.Response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("coach-export.json", export.Response.Content.Headers.ContentDisposition?.FileName);
        var json = export.Json;
        Assert.Equal(ana.Email, json.GetProperty("users")[0].GetProperty("email").GetString());
        Assert.Equal(["Sleep by eleven"], json.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("goal_text").GetString()));
        Assert.Equal([session], json.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal(4, json.GetProperty("messages").GetArrayLength());
        Assert.Equal(1, json.GetProperty("mood_checkins").GetArrayLength());
    }

    [Fact]
    public async Task The_export_writes_timestamps_and_text_as_they_are_not_as_unicode_escapes()
    {
        var ana = await host.SignInAsync("Ana");
        await ana.SendAsync(HttpMethod.Patch, "/api/me", new { name = "João <Sousa> & Filhos" });
        await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Dormir às 23h, \"sem\" telemóvel" });

        var export = await ana.GetAsync("/api/me/export");

        Assert.Equal(HttpStatusCode.OK, export.Status);
        Assert.Equal("nosniff", export.Response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.DoesNotContain("\\u", export.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("+00:00", export.Json.GetProperty("exported_at").GetString());
        Assert.Contains("\"exported_at\": \"", export.Text);
        Assert.Contains("João <Sousa> & Filhos", export.Text);
        // Still valid JSON that reads back to the same text, quotes included.
        Assert.Equal("Dormir às 23h, \"sem\" telemóvel", export.Json.GetProperty("goals")[0].GetProperty("goal_text").GetString());
        Assert.Equal("João <Sousa> & Filhos", export.Json.GetProperty("users")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task After_erasure_the_same_token_finds_nothing_and_other_users_keep_their_data()
    {
        var ana = await host.SignInAsync("Ana");
        var ben = await host.SignInAsync("Ben");
        await host.CompletedSessionAsync(ana.Id);
        await host.CompletedSessionAsync(ben.Id);
        await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Ana's goal" });
        await ben.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Ben's goal" });

        var erased = await ana.SendAsync(HttpMethod.Delete, "/api/me");
        var me = await ana.GetAsync("/api/me");
        var export = await ana.GetAsync("/api/me/export");
        var sessions = await ana.GetAsync("/api/sessions");
        var eraseAgain = await ana.SendAsync(HttpMethod.Delete, "/api/me");
        var writeAfter = await ana.SendAsync(HttpMethod.Post, "/api/goals", new { goal_text = "Written after erasure" });

        Assert.Equal(HttpStatusCode.NoContent, erased.Status);
        Assert.Equal(HttpStatusCode.NotFound, me.Status);
        Assert.Equal("application/problem+json", me.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, export.Status);
        Assert.Equal(0, sessions.Json.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, eraseAgain.Status);
        Assert.Equal(HttpStatusCode.NotFound, writeAfter.Status); // the account is gone, not the input wrong

        var bensMe = await ben.GetAsync("/api/me");
        var bensGoals = await ben.GetAsync("/api/goals");
        var bensSessions = await ben.GetAsync("/api/sessions");
        Assert.Equal(HttpStatusCode.OK, bensMe.Status);
        Assert.Equal(["Ben's goal"], bensGoals.Json.EnumerateArray().Select(g => g.GetProperty("goal_text").GetString()));
        Assert.Equal(1, bensSessions.Json.GetProperty("total").GetInt32());
    }
}
