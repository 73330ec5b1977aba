using CoachService.Benchmarks;

namespace CoachService.Tests.Benchmarks;

public sealed class BenchmarkPacingTests
{
    private static readonly BenchmarkOptions Paced = new()
    {
        ThinkTime = TimeSpan.FromMilliseconds(500),
        Model = new FakeModelOptions { TimeToFirstToken = TimeSpan.FromMilliseconds(300), TokensPerSecond = 50 },
    };

    [Fact]
    public void Talkers_start_spread_over_one_turn_and_pause_around_the_think_time()
    {
        var random = new Random(7);
        var cycle = Paced.Cycle;
        Assert.Equal(TimeSpan.FromMilliseconds(800) + TimeSpan.FromSeconds(FakeModel.ReplyTokenCount / 50.0), cycle);

        var starts = Enumerable.Range(0, 2000).Select(_ => Paced.StartOffset(random)).ToList();
        Assert.All(starts, s => Assert.InRange(s, TimeSpan.Zero, cycle));
        // Spread, not bunched: every tenth of the cycle gets some first turns.
        Assert.Equal(10, starts.Select(s => (int)(10 * s / cycle)).Distinct().Count());

        var pauses = Enumerable.Range(0, 2000).Select(_ => Paced.Think(random)).ToList();
        Assert.All(pauses, p => Assert.InRange(p.TotalMilliseconds, 250, 750));
        Assert.InRange(pauses.Average(p => p.TotalMilliseconds), 480, 520);
    }

    [Fact]
    public void Without_jitter_the_talkers_move_in_step()
    {
        var inStep = Paced with { ThinkJitter = 0 };
        var random = new Random(7);
        Assert.Equal(TimeSpan.Zero, inStep.StartOffset(random));
        Assert.Equal(TimeSpan.FromMilliseconds(500), inStep.Think(random));
    }
}
