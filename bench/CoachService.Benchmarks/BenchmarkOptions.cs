namespace CoachService.Benchmarks;

/// <summary>One benchmark run: how many clients, how they talk, how the fake model answers, and its bounds.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Clients connected to the hub; those that do not talk stay idle.</summary>
    public int Connected { get; init; } = 1000;

    /// <summary>Instances of the service on one database and a local redis-server (issue 13); clients alternate between them.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Concurrent talkers, one phase per value (a sweep draws the chart); each phase reuses the connections.</summary>
    public IReadOnlyList<int> Talking { get; init; } = [200];

    public int TurnsPerSession { get; init; } = 5;

    /// <summary>Turns each talker sends in one phase (sessions of <see cref="TurnsPerSession"/>).</summary>
    public int TurnsPerTalker { get; init; } = 10;

    /// <summary>Pause between a reply's end and the next turn: its mean (see <see cref="ThinkJitter"/>).</summary>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Each pause is drawn uniformly from <see cref="ThinkTime"/> × [1 − jitter, 1 + jitter], and each talker's first turn
    /// of a phase waits a uniform part of one turn's cycle (<see cref="Cycle"/>): talkers arrive independently, as
    /// people do. 0 keeps them in step: every talker's first turn at the same instant and every pause the same, so the
    /// same burst of turns comes back every cycle and the tail percentiles measure that burst.
    /// </summary>
    public double ThinkJitter { get; init; } = 0.5;

    /// <summary>One talker's turn at the fake model's pace: the reply's first token, its tokens, and the think time.</summary>
    public TimeSpan Cycle => Model.TimeToFirstToken + ThinkTime
        + (Model.TokensPerSecond > 0 ? TimeSpan.FromSeconds(FakeModel.ReplyTokenCount / Model.TokensPerSecond) : TimeSpan.Zero);

    /// <summary>The wait before a talker's first turn of a phase: none when the talkers move in step.</summary>
    public TimeSpan StartOffset(Random random) => ThinkJitter > 0 ? Cycle * random.NextDouble() : TimeSpan.Zero;

    /// <summary>One pause between turns.</summary>
    public TimeSpan Think(Random random) => ThinkTime * (1 + ThinkJitter * (2 * random.NextDouble() - 1));

    /// <summary>
    /// The pacing of one talker in one phase: the same in every run, and independent of every other talker's. A seeded
    /// <see cref="Random"/> (the runtime's legacy generator) draws nearly the same numbers, or numbers in a straight
    /// line, for seeds a constant apart: seeded with <c>talker × 7919 + phase</c>, as until 2026-12-03, the talkers'
    /// first turns came at even steps of the index (370 ms apart at 1,000 connected / 200 talking) and half of the
    /// neighbouring talkers sent their third turn within 10 ms of each other. The seed is therefore a mix (SplitMix64's
    /// finaliser) of the two numbers.
    /// </summary>
    public static Random TalkerRandom(int talker, int phase)
    {
        var z = ((ulong)(uint)talker << 32 | (uint)phase) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return new Random((int)(z & int.MaxValue));
    }

    /// <summary>A phase starts no new turn after this long.</summary>
    public TimeSpan PhaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A turn whose reply has not completed this long after it was sent counts as an error.</summary>
    public TimeSpan TurnTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Voice front-end: partial transcripts word by word, then the final turn after a pause.</summary>
    public bool Voice { get; init; }

    public TimeSpan WordInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Pause between the last partial transcript and SendTurn, drawn uniformly from this range.</summary>
    public (TimeSpan Min, TimeSpan Max) FinalPause { get; init; } = (TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(700));

    /// <summary>Also run the same talkers against the fake model directly: the physical limit.</summary>
    public bool Direct { get; init; } = true;

    /// <summary>Collect the service's runtime counters with dotnet-counters (a local tool).</summary>
    public bool Counters { get; init; } = true;

    public FakeModelOptions Model { get; init; } = new();

    /// <summary>Extra settings for the service, as environment variables (Section__Key).</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the report, its JSON and the chart go; null writes nothing.</summary>
    public string? OutputFolder { get; init; }

    /// <summary>Pause before and after the clients connect, so that the memory readings are of a settled service.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Before the phases: this many clients send <see cref="WarmUpTurns"/> turns each, checked in the database but not measured (JIT tiering, pools).</summary>
    public int WarmUpTalkers { get; init; } = 20;

    public int WarmUpTurns { get; init; } = 10;

    /// <summary>
    /// The warm-up is repeated, at most this many rounds, until a round makes the service's JIT compile fewer than
    /// <see cref="WarmUpQuietJit"/> methods: tiered compilation delays its call counting while new methods keep
    /// coming, so one round leaves the tier-1 recompilation of the hot paths to the first measured phase. 1: one round, not watched.
    /// </summary>
    public int WarmUpRounds { get; init; } = 16;

    public int WarmUpQuietJit { get; init; } = 100;

    /// <summary>
    /// After the rounds above, every talker of the largest phase sends this many turns at the phases' pacing, stored
    /// and checked but not measured: the service's pools (PostgreSQL connections, HTTP connections to the model) grow
    /// to the phase's concurrency here, not inside the measured phase. 0: no such round.
    /// </summary>
    public int WarmUpLoadTurns { get; init; } = 2;

    /// <summary>
    /// After the warm-up, wait (at most <see cref="SettleTimeout"/>) until the idle service uses less than this
    /// share of a core: tiered JIT recompiles the hot paths in the background for tens of seconds after the
    /// first turns, and a phase measured meanwhile measures the JIT. 0 does not wait.
    /// </summary>
    public double SettleCpuPercent { get; init; } = 15;

    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Take a CPU profile of the service (dotnet-trace collect-linux) this long in every phase; zero takes none.</summary>
    public TimeSpan ProfileDuration { get; init; }

    /// <summary>
    /// Watch the collectors' pauses (the service's and the benchmark's) in every phase and set them beside the slowest
    /// turns. Off by default: in the ninth round every run with the watches on had a stall of about a second that the
    /// run without them did not, so a run that measures the targets leaves them off.
    /// </summary>
    public bool WatchGcPauses { get; init; }

    /// <summary>Clients connect this many at a time.</summary>
    public int ConnectConcurrency { get; init; } = 32;
}
