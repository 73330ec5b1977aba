return await CoachService.Cli.CoachCli.RunAsync(args);
