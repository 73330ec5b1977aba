using System.Net;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;

namespace CoachService.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class MeApiTests(ApiHost host)
{
    [Fact]
    public async Task Me_shows_the_account_the_current_personality_profile_and_the_focus_categories()
    {
        var ana = await host.SignInAsync("Ana", "Europe/Lisbon");
        var profiles = host.Get<PersonalityProfiles>();
        await profiles.RecordAsync(ana.Id, new PersonalityAssessmentResult(
            "I", new DiscScores(0.2, 0.5, 0.2, 0.1), 7, 8, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.1, 0.1], 0.42, ["Energised by people"]), "t").WaitAsync(ApiHost.AwaitLimit);
        await host.Get<CoachDatabase>().ForUserAsync(ana.Id, db =>
        {
            db.EmotionalFocusCategories.Add(new EmotionalFocusCategory { UserId = ana.Id, Category = "relationships", Priority = 2 });
            db.EmotionalFocusCategories.Add(new EmotionalFocusCategory { UserId = ana.Id, Category = "stress_management", Priority = 1 });
            return Task.CompletedTask;
        }).WaitAsync(ApiHost.AwaitLimit);

        var me = await ana.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, me.Status);
        var json = me.Json;
        Assert.Equal(ana.Id, json.GetProperty("id").GetGuid());
        Assert.Equal(ana.Email, json.GetProperty("email").GetString());
        Assert.Equal("Ana", json.GetProperty("name").GetString());
        Assert.Equal("Europe/Lisbon", json.GetProperty("timezone").GetString());
        Assert.Equal("en", json.GetProperty("preferred_language").GetString());
        Assert.False(json.GetProperty("onboarding_completed").GetBoolean());
        Assert.Equal(0, json.GetProperty("achievement_points").GetInt32());
        var profile = json.GetProperty("personality_profile");
        Assert.Equal("I", profile.GetProperty("disc_type").GetString());
        Assert.Equal(0.5, profile.GetProperty("disc_scores").GetProperty("i").GetDouble());
        Assert.Equal((7, 8), (profile.GetProperty("enneagram_type").GetInt32(), profile.GetProperty("enneagram_wing").GetInt32()));
        Assert.Equal(0.42m, profile.GetProperty("confidence").GetDecimal());
        Assert.Equal(["Energised by people"], profile.GetProperty("insights").EnumerateArray().Select(i => i.GetString()));
        Assert.True(profile.TryGetProperty("completed_at", out _));
        Assert.Equal(["stress_management", "relationships"],
            json.GetProperty("emotional_focus_categories").EnumerateArray().Select(c => c.GetProperty("category").GetString()));
    }

    [Fact]
    public async Task A_new_user_has_no_personality_profile_yet()
    {
        var ben = await host.SignInAsync("Ben");

        var me = await ben.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, me.Status);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, me.Json.GetProperty("personality_profile").ValueKind);
        Assert.Empty(me.Json.GetProperty("emotional_focus_categories").EnumerateArray());
    }

    [Fact]
    public async Task Patch_changes_name_language_and_time_zone()
    {
        var ana = await host.SignInAsync("Ana");

        var patched = await ana.SendAsync(HttpMethod.Patch, "/api/me", new { name = "Ana Sousa", preferred_language = "pt", timezone = "America/Sao_Paulo" });
        var me = await ana.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal("Ana Sousa", patched.Json.GetProperty("name").GetString());
        Assert.Equal(("Ana Sousa", "pt", "America/Sao_Paulo"),
            (me.Json.GetProperty("name").GetString(), me.Json.GetProperty("preferred_language").GetString(), me.Json.GetProperty("timezone").GetString()));
    }

    [Theory]
    [InlineData("""{"timezone":"Mars/Olympus_Mons"}""", "timezone")]
    [InlineData("""{"preferred_language":"tlh"}""", "preferred_language")]
    [InlineData("""{"name":"Ana","timezone":"Not/A_Zone"}""", "timezone")]
    public async Task A_bad_value_is_refused_naming_the_field_and_nothing_changes(string body, string field)
    {
        var ana = await host.SignInAsync("Ana", "Europe/Lisbon");

        var refused = await ana.SendRawAsync(HttpMethod.Patch, "/api/me", body);
        var me = await ana.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("application/problem+json", refused.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([field], refused.ErrorFields);
        Assert.Equal(("Ana", "Europe/Lisbon", "en"),
            (me.Json.GetProperty("name").GetString(), me.Json.GetProperty("timezone").GetString(), me.Json.GetProperty("preferred_language").GetString()));
    }

    [Fact]
    public async Task Preferences_start_as_the_defaults_and_a_put_replaces_them()
    {
        var ana = await host.SignInAsync("Ana");

        var before = await ana.GetAsync("/api/me/preferences");
        var put = await ana.SendAsync(HttpMethod.Put, "/api/me/preferences", new
        {
            timing = "morning_person",
            duration = "quick_focused",
            style = "guided_structure",
            coach_persona = "gentle_guide",
            tts_voice_id = "voice-en-female-2",
            focus_area = "sleep",
            session_frequency = "weekdays",
            preferred_session_time = "07:30",
            reminders_enabled = false,
        });
        var after = await ana.GetAsync("/api/me/preferences");

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(("flexible", "warm_friend", true), (before.Json.GetProperty("timing").GetString(),
            before.Json.GetProperty("coach_persona").GetString(), before.Json.GetProperty("reminders_enabled").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, put.Status);
        var json = after.Json;
        Assert.Equal("morning_person", json.GetProperty("timing").GetString());
        Assert.Equal("quick_focused", json.GetProperty("duration").GetString());
        Assert.Equal("guided_structure", json.GetProperty("style").GetString());
        Assert.Equal("gentle_guide", json.GetProperty("coach_persona").GetString());
        Assert.Equal("voice-en-female-2", json.GetProperty("tts_voice_id").GetString());
        Assert.Equal("sleep", json.GetProperty("focus_area").GetString());
        Assert.Equal("weekdays", json.GetProperty("session_frequency").GetString());
        Assert.Equal("07:30", json.GetProperty("preferred_session_time").GetString());
        Assert.False(json.GetProperty("reminders_enabled").GetBoolean());

        // The coach reads the same row: the dashboard shows the chosen persona.
        var dashboard = await ana.GetAsync("/api/dashboard");
        Assert.Equal("gentle_guide", dashboard.Json.GetProperty("coach_persona").GetString());
    }

    [Theory]
    [InlineData("""{"coach_persona":"drill_sergeant"}""", "coach_persona")]
    [InlineData("""{"timing":"night_owl"}""", "timing")]
    [InlineData("""{"session_frequency":"hourly"}""", "session_frequency")]
    [InlineData("""{"preferred_session_time":"7.30pm"}""", "preferred_session_time")]
    [InlineData("""{"reminders_enabled":"sometimes"}""", "reminders_enabled")]
    public async Task Bad_preferences_are_refused_naming_the_field_and_the_old_ones_stay(string body, string field)
    {
        var ana = await host.SignInAsync("Ana");
        await ana.SendAsync(HttpMethod.Put, "/api/me/preferences", new { coach_persona = "wise_mentor" });

        var refused = await ana.SendRawAsync(HttpMethod.Put, "/api/me/preferences", body);
        var after = await ana.GetAsync("/api/me/preferences");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal([field], refused.ErrorFields);
        Assert.Contains(field, refused.Json.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("wise_mentor", after.Json.GetProperty("coach_persona").GetString());
    }
}
