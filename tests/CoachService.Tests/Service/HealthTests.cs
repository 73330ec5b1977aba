namespace CoachService.Tests.Service;

public sealed class HealthTests
{
    [Fact]
    public async Task Live_and_ready_answer_200_once_the_database_is_migrated()
    {
        await using var app = await CoachApp.StartAsync().WaitAsync(TimeSpan.FromMinutes(2));
        using var client = app.CreateClient();
        Assert.StartsWith("http://127.0.0.1:", client.BaseAddress!.ToString());

        var live = await client.GetAsync("/health/live").WaitAsync(TimeSpan.FromSeconds(30));
        var ready = await client.GetAsync("/health/ready").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}
