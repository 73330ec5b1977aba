using CoachService.Conversations;
using CoachService.Persistence;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CoachService.Tests.Conversations;

/// <summary>When a carried context may start a turn's request early (<see cref="CarriedContexts.Take"/>), and what bounds the cache.</summary>
public sealed class CarriedContextsTests
{
    private static readonly Guid Ana = Guid.NewGuid(), Ben = Guid.NewGuid(), Session = Guid.NewGuid();
    private static readonly Dictionary<string, object?> Inputs = new() { ["user_name"] = "Ana", ["message"] = "" };

    private static (CarriedContexts Carried, UserDataVersions Versions, FakeTimeProvider Time) Make(int limit = 100)
    {
        var versions = new UserDataVersions();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T08:00:00Z"));
        var options = Options.Create(new CoachingOptions { CarriedContexts = limit, TurnBurst = 5, TurnsPerMinute = 60 });
        return (new CarriedContexts(versions, options, time), versions, time);
    }

    private static void CarryAfterT1(CarriedContexts carried, Guid session, double permitsLeft = 4, long version = 0) =>
        carried.Carry(Ana, session, "t1", 2, Inputs, [new ChatMessage(ChatRole.User, "Hi"), new ChatMessage(ChatRole.Assistant, "Hello")], permitsLeft, version);

    [Fact]
    public void The_next_turn_takes_it_once()
    {
        var (carried, _, _) = Make();
        CarryAfterT1(carried, Session);

        var taken = carried.Take(Ana, Session, "t2");

        Assert.NotNull(taken);
        Assert.Equal(2, taken.LastSequence);
        Assert.Equal(2, taken.History.Count);
        Assert.Null(carried.Take(Ana, Session, "t2"));
        Assert.Equal(0, carried.Count);
    }

    [Fact]
    public void Another_users_turn_gets_nothing_and_leaves_it_to_the_owner()
    {
        var (carried, _, _) = Make();
        CarryAfterT1(carried, Session);

        Assert.Null(carried.Take(Ben, Session, "t2"));
        Assert.NotNull(carried.Take(Ana, Session, "t2"));
    }

    [Fact]
    public void A_repeat_of_the_turn_it_was_carried_from_leaves_it_for_the_next()
    {
        var (carried, _, _) = Make();
        CarryAfterT1(carried, Session);

        Assert.Null(carried.Take(Ana, Session, "t1"));
        Assert.NotNull(carried.Take(Ana, Session, "t2"));
    }

    [Fact]
    public void A_change_of_the_users_data_here_since_it_was_read_drops_it()
    {
        var (carried, versions, _) = Make();
        CarryAfterT1(carried, Session, version: versions.Of(Ana));
        versions.Changed(Ana);

        Assert.Null(carried.Take(Ana, Session, "t2"));
        Assert.Equal(0, carried.Count);
    }

    [Fact]
    public void One_older_than_its_age_is_not_used()
    {
        var (carried, _, time) = Make();
        CarryAfterT1(carried, Session);
        time.Advance(CarriedContexts.MaxAge + TimeSpan.FromSeconds(1));

        Assert.Null(carried.Take(Ana, Session, "t2"));
    }

    [Fact]
    public void It_is_used_for_at_most_half_the_idle_session_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T08:00:00Z"));
        var carried = new CarriedContexts(new UserDataVersions(), Options.Create(new CoachingOptions()), time,
            Options.Create(new CoachService.Sessions.IdleSessionOptions { IdleSessionTimeout = TimeSpan.FromMinutes(6) }));
        CarryAfterT1(carried, Session);
        time.Advance(TimeSpan.FromMinutes(3) - TimeSpan.FromSeconds(1));
        Assert.NotNull(carried.Take(Ana, Session, "t2"));

        CarryAfterT1(carried, Session);
        time.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        Assert.Null(carried.Take(Ana, Session, "t2"));
    }

    [Theory]
    [InlineData(0.5, 0, false)] // the bucket holds less than one to spend and one to spare
    [InlineData(1.0, 0, false)]
    [InlineData(1.0, 1, true)] // a second at 60 a minute refilled one
    [InlineData(2.0, 0, true)]
    public void It_starts_a_turn_only_with_a_permit_to_spare(double permitsLeft, int secondsLater, bool used)
    {
        var (carried, _, time) = Make();
        CarryAfterT1(carried, Session, permitsLeft);
        time.Advance(TimeSpan.FromSeconds(secondsLater));

        Assert.Equal(used, carried.Take(Ana, Session, "t2") is not null);
    }

    [Fact]
    public void A_prime_does_not_replace_a_carried_turn_and_a_carry_replaces_a_prime()
    {
        var (carried, _, _) = Make();
        CarryAfterT1(carried, Session);
        carried.Prime(Ana, Session, Inputs, 5, 0);
        Assert.Equal("t1", carried.Take(Ana, Session, "t2")!.LastTurnId);

        carried.Prime(Ana, Session, Inputs, 5, 0);
        CarryAfterT1(carried, Session);
        Assert.Equal("t1", carried.Take(Ana, Session, "t2")!.LastTurnId);
    }

    [Fact]
    public void A_full_cache_keeps_no_more_until_its_stale_entries_go_and_zero_keeps_none()
    {
        var (carried, _, time) = Make(limit: 2);
        CarryAfterT1(carried, Guid.NewGuid());
        CarryAfterT1(carried, Guid.NewGuid());
        CarryAfterT1(carried, Session);
        Assert.Equal(2, carried.Count);
        Assert.Null(carried.Take(Ana, Session, "t2"));

        time.Advance(CarriedContexts.MaxAge + TimeSpan.FromSeconds(1));
        CarryAfterT1(carried, Session);
        Assert.Equal(1, carried.Count);
        Assert.NotNull(carried.Take(Ana, Session, "t2"));

        var (off, _, _) = Make(limit: 0);
        CarryAfterT1(off, Session);
        Assert.Equal(0, off.Count);
    }
}
