using CoachService;
using CoachService.Api;
using CoachService.Api.Health;
using CoachService.Llm;
using CoachService.Persistence;
using CoachService.Prompts;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddCoachDatabase(builder.Configuration);
builder.Services.AddCoachDomain();
builder.Services.AddCoachLlm(builder.Configuration);
builder.Services.AddCoachPrompts(builder.Configuration);
builder.Services.AddCoachHealthChecks();

await using var app = builder.Build();

app.MapCoachHealthChecks();

return await StartupFailure.RunAsync(app);

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
