using System.Net;
using System.Text.RegularExpressions;
using CoachService.Testing;

namespace CoachService.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed partial class ApiSurfaceTests(ApiHost host)
{
    public static TheoryData<string, string> Routes() => new()
    {
        { "GET", "/api/me" }, { "PATCH", "/api/me" }, { "DELETE", "/api/me" },
        { "GET", "/api/me/preferences" }, { "PUT", "/api/me/preferences" }, { "GET", "/api/me/export" },
        { "GET", "/api/sessions" }, { "GET", $"/api/sessions/{Guid.Empty}" },
        { "POST", $"/api/sessions/{Guid.Empty}/suggested-goals/0/accept" },
        { "GET", "/api/goals" }, { "POST", "/api/goals" }, { "GET", $"/api/goals/{Guid.Empty}" }, { "PATCH", $"/api/goals/{Guid.Empty}" },
        { "GET", "/api/virtues" }, { "GET", "/api/achievements" }, { "GET", "/api/dashboard" }, { "GET", "/api/progress/summary" },
        { "GET", "/api/mood-checkins" }, { "POST", "/api/mood-checkins" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_needs_a_token(string method, string path)
    {
        using var client = host.Anonymous();

        var answer = await ApiAnswer.SendAsync(client, new HttpMethod(method), path, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("Bearer", answer.Response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("POST", "/api/goals", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("DELETE", "/api/goals", "application/json", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/api/no-such-route", "application/json", HttpStatusCode.NotFound)]
    public async Task Errors_without_a_handler_are_problem_documents_too(string method, string path, string mediaType, HttpStatusCode status)
    {
        var ana = await host.SignInAsync("Ana");

        var answer = await ApiAnswer.SendAsync(ana.Client, new HttpMethod(method), path, new StringContent("{}", System.Text.Encoding.UTF8, mediaType));

        Assert.Equal(status, answer.Status);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, answer.Json.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_route_in_Development()
    {
        using var client = host.Anonymous();

        var answer = await ApiAnswer.SendAsync(client, HttpMethod.Get, "/openapi/v1.json", null);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var paths = answer.Json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var route in Routes().Select(r => (string)r[1]).Select(Template).Distinct())
        {
            Assert.Contains(route, paths);
        }
    }

    /// <summary>The problem answers each route can give besides 401, as the handlers and the domain produce them.</summary>
    public static TheoryData<string, string, string> ProblemResponses() => new()
    {
        { "GET", "/api/me", "404" }, { "PATCH", "/api/me", "400 404" }, { "DELETE", "/api/me", "404" },
        { "GET", "/api/me/preferences", "" }, { "PUT", "/api/me/preferences", "400 404" }, { "GET", "/api/me/export", "404" },
        { "GET", "/api/sessions", "400" }, { "GET", "/api/sessions/{id}", "404" },
        { "POST", "/api/sessions/{id}/suggested-goals/{index}/accept", "404 409" },
        { "GET", "/api/goals", "400" }, { "POST", "/api/goals", "400 404" }, { "GET", "/api/goals/{id}", "404" }, { "PATCH", "/api/goals/{id}", "400 404" },
        { "GET", "/api/virtues", "" }, { "GET", "/api/achievements", "" }, { "GET", "/api/dashboard", "404" }, { "GET", "/api/progress/summary", "400 404" },
        { "GET", "/api/mood-checkins", "400" }, { "POST", "/api/mood-checkins", "400 404" },
    };

    [Theory]
    [MemberData(nameof(ProblemResponses))]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_and_each_routes_problem_responses(string method, string path, string problems)
    {
        using var client = host.Anonymous();

        var document = (await ApiAnswer.SendAsync(client, HttpMethod.Get, "/openapi/v1.json", null)).Json;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method.ToLowerInvariant());
        Assert.Contains(operation.GetProperty("security").EnumerateArray(), requirement => requirement.TryGetProperty("Bearer", out _));
        var responses = operation.GetProperty("responses");
        Assert.True(responses.TryGetProperty("401", out _), $"{method} {path} does not declare 401");
        var expected = problems.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var status in expected)
        {
            Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{method} {path} does not declare a {status} problem document");
        }

        var undeclared = responses.EnumerateObject().Select(r => r.Name).Where(s => s.StartsWith('4') && s != "401" && !expected.Contains(s));
        Assert.Empty(undeclared);
    }

    [Fact]
    public async Task The_development_sign_in_needs_no_token_in_the_OpenAPI_document()
    {
        using var client = host.Anonymous();

        var document = (await ApiAnswer.SendAsync(client, HttpMethod.Get, "/openapi/v1.json", null)).Json;

        var signIn = document.GetProperty("paths").GetProperty("/dev/token").GetProperty("post");
        Assert.False(signIn.TryGetProperty("security", out var security) && security.GetArrayLength() > 0);
    }

    [Fact]
    public async Task The_http_file_exercises_every_route()
    {
        var file = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root(), "src", "CoachService.Api", "CoachService.Api.http")).WaitAsync(ApiHost.AwaitLimit);
        var requests = RequestLine().Matches(file)
            .Select(m => (m.Groups["method"].Value, Template(m.Groups["path"].Value.Split('?')[0]))).ToHashSet();

        foreach (var route in Routes().Select(r => ((string)r[0], Template((string)r[1]))))
        {
            Assert.Contains(route, requests);
        }
    }

    /// <summary>/api/goals/00000000-… and /api/goals/{{goalId}} → /api/goals/{id}.</summary>
    private static string Template(string path) =>
        IndexSegment().Replace(IdSegment().Replace(path, "/{id}"), "/suggested-goals/{index}");

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|DELETE) \{\{baseUrl\}\}(?<path>\S+)", RegexOptions.Multiline)]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"/(\{\{\w+\}\}|[0-9a-f]{8}-[0-9a-f-]{27})")]
    private static partial Regex IdSegment();

    [GeneratedRegex(@"/suggested-goals/\d+")]
    private static partial Regex IndexSegment();
}
