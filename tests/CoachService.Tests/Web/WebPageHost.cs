using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachService.Testing;
using CoachService.Testing.Browser;
using CoachService.Testing.SignalR;
using CoachService.Tests.Conversations;

namespace CoachService.Tests.Web;

/// <summary>
/// One real host on loopback (test database, fake LLM server) and one headless Debian Chromium for the
/// page's tests, with two test-only hooks: a dropper that cuts hub connections from the server's side
/// and a recorder of hub calls. Each test signs in as its own user.
/// </summary>
public sealed class WebPageHost : IAsyncLifetime
{
    private ConversationHarness harness = null!;

    public ChromiumBrowser Browser { get; private set; } = null!;

    public HubConnectionDropper Dropper { get; private set; } = null!;

    public HubInvocationRecorder Hub { get; private set; } = null!;

    internal ConversationHarness Harness => harness;

    public Uri BaseAddress => harness.App.BaseAddress;

    public async Task InitializeAsync()
    {
        HubConnectionDropper? dropper = null;
        HubInvocationRecorder? recorder = null;
        harness = await ConversationHarness.StartAsync(
            new Dictionary<string, string?> { ["Coaching:AssessmentAnswers"] = "2" },
            services: services =>
            {
                dropper = HubConnectionDropper.AddTo(services);
                recorder = HubInvocationRecorder.AddTo(services);
            });
        Dropper = dropper!;
        Hub = recorder!;
        Browser = await ChromiumBrowser.LaunchAsync();
    }

    /// <summary>The coach's reply to every text turn from now on.</summary>
    public void CoachSays(string reply, TimeSpan? betweenPieces = null) =>
        harness.CoachReply = _ => FakeResponse.Reply(reply) with { DelayBetweenChunks = betweenPieces };

    /// <summary>The coach's answer to each text request from now on, e.g. a tool call and then its confirmation.</summary>
    public void CoachAnswers(Func<FakeRequest, FakeResponse> answer) => harness.CoachReply = answer;

    /// <summary>A REST client signed in as the same user the page signs in as (same e-mail, same user).</summary>
    public async Task<HttpClient> ApiAsAsync(string email)
    {
        var http = harness.App.CreateClient();
        var response = await http.PostAsJsonAsync("/dev/token", new { email });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        return http;
    }

    /// <summary>The messages of the user's newest session, as the REST session detail lists them.</summary>
    public async Task<JsonElement[]> NewestSessionMessagesAsync(string email)
    {
        using var api = await ApiAsAsync(email);
        var page = await api.GetFromJsonAsync<JsonElement>("/api/sessions?page=1&pageSize=1");
        var id = page.GetProperty("items")[0].GetProperty("id").GetString();
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
        return [.. detail.GetProperty("messages").EnumerateArray()];
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await harness.DisposeAsync();
    }
}
