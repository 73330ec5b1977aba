using System.Net;

namespace CoachService.Tests.Service;

public sealed class CorsTests
{
    [Fact]
    public async Task A_configured_origin_may_call_from_a_browser_and_others_may_not()
    {
        await using var app = await CoachApp.StartAsync(new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = "https://app.example.com" })
            .WaitAsync(TimeSpan.FromMinutes(2));
        using var client = app.CreateClient();

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/api/goals");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            return await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var allowed = await PreflightAsync("https://app.example.com");
        var other = await PreflightAsync("https://evil.example.net");

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
