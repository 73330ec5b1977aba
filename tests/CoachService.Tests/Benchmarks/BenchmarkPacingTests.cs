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

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Talkers_are_paced_independently_of_each_other(int phase)
    {
        var options = Paced with { ThinkTime = TimeSpan.FromMilliseconds(2800) };
        // When each of 200 talkers sends its first three turns, counting the pacing only (start, then two pauses).
        var sends = Enumerable.Range(0, 200).Select(talker =>
        {
            var random = BenchmarkOptions.TalkerRandom(talker, phase);
            var first = options.StartOffset(random);
            var second = first + options.Think(random);
            return (Talker: talker, First: first.TotalMilliseconds, Third: (second + options.Think(random)).TotalMilliseconds);
        }).ToList();

        // The first turns do not follow the talkers' order.
        Assert.InRange(Correlation(sends.Select(s => (double)s.Talker).ToList(), sends.Select(s => s.First).ToList()), -0.2, 0.2);
        // Neighbours do not send together: with independent talkers, few of the 199 neighbouring pairs send their third
        // turn within 10 ms of each other (about 1 expected); seeded talker × 7919 + phase, about 100 pairs did.
        var together = sends.Zip(sends.Skip(1)).Count(p => Math.Abs(p.First.Third - p.Second.Third) < 10);
        Assert.True(together <= 12, $"{together} neighbouring talkers sent their third turn within 10 ms of each other");
        // And the same talker is paced the same in every run.
        Assert.Equal(BenchmarkOptions.TalkerRandom(5, phase).Next(), BenchmarkOptions.TalkerRandom(5, phase).Next());
        Assert.NotEqual(BenchmarkOptions.TalkerRandom(5, phase).Next(), BenchmarkOptions.TalkerRandom(5, phase + 1).Next());
    }

    private static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average();
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
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
