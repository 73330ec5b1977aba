namespace CoachService.Cli;

/// <summary>The entry point of <c>coach</c>; everything is in <see cref="CoachCli"/>, which the tests call in-process.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => CoachCli.RunAsync(args);
}
