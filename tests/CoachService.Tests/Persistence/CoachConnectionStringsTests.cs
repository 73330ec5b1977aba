using CoachService.Persistence;
using Npgsql;

namespace CoachService.Tests.Persistence;

public sealed class CoachConnectionStringsTests
{
    private const string Server = "Host=127.0.0.1;Port=5432;Database=coach;Username=coach_service;Password=x";

    [Fact]
    public void The_services_connections_prepare_their_repeated_statements_and_take_the_app_role()
    {
        var app = new NpgsqlConnectionStringBuilder(CoachConnectionStrings.Create(Server, Server).App);

        Assert.Equal(CoachConnectionStrings.AutoPreparedStatements, app.MaxAutoPrepare);
        Assert.Equal(2, app.AutoPrepareMinUsages);
        Assert.True(app.NoResetOnClose);
        Assert.Contains("-c role=coach_app", app.Options, StringComparison.Ordinal);
        Assert.Equal("coach-service", app.ApplicationName);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0", 0)]
    [InlineData("Max Auto Prepare=7", 7)]
    [InlineData("MaxAutoPrepare=0", 0)]
    public void A_connection_string_that_sets_automatic_preparation_keeps_its_own_value(string setting, int expected)
    {
        var app = new NpgsqlConnectionStringBuilder(CoachConnectionStrings.Create(Server, $"{Server};{setting}").App);

        Assert.Equal(expected, app.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("No Reset On Close=false", false)]
    [InlineData("NoResetOnClose=false", false)]
    [InlineData("No Reset On Close=true", true)]
    public void A_connection_string_that_sets_the_pools_reset_keeps_its_own_value(string setting, bool expected)
    {
        var app = new NpgsqlConnectionStringBuilder(CoachConnectionStrings.Create(Server, $"{Server};{setting}").App);

        Assert.Equal(expected, app.NoResetOnClose);
    }
}
