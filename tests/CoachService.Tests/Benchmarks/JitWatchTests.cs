using System.Linq.Expressions;
using CoachService.Benchmarks;

namespace CoachService.Tests.Benchmarks;

public sealed class JitWatchTests
{
    [Fact]
    public async Task It_counts_the_methods_a_process_compiles()
    {
        await using var watch = JitWatch.TryStart(Environment.ProcessId, TextWriter.Null);
        Assert.NotNull(watch);

        // Each compiled expression is a new dynamic method, compiled by the JIT on its first call.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var made = 0;
        while (watch.Compiled < 5 && DateTime.UtcNow < deadline)
        {
            var x = Expression.Parameter(typeof(int));
            var lambda = Expression.Lambda<Func<int, int>>(Expression.Add(x, Expression.Constant(made++)), x).Compile();
            Assert.Equal(2 + made - 1, lambda(2));
            await Task.Delay(50);
        }

        Assert.True(watch.Compiled >= 5, $"{watch.Compiled} methods counted after {made} new ones were compiled");
    }
}
