using CoachService;
using CoachService.Api;
using CoachService.Api.Auth;
using CoachService.Api.Cors;
using CoachService.Api.Health;
using CoachService.Api.Hubs;
using CoachService.Api.Web;
using CoachService.Conversations;
using CoachService.Llm;
using CoachService.Llm.Tasks;
using CoachService.Persistence;

if (TokenCommand.IsInvoked(args))
{
    return await TokenCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
// Kestrel's socket transport options from Kestrel:Sockets (README, Configuration): its scheduling is for operators to tune.
builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>(builder.Configuration.GetSection("Kestrel:Sockets"));

builder.Services.AddCoachDatabase(builder.Configuration);
builder.Services.AddCoachDomain();
builder.Services.AddCoachLlm(builder.Configuration);
builder.Services.AddCoachKernel(builder.Configuration);
builder.Services.AddCoachConversations(builder.Configuration);
builder.Services.AddCoachHub(builder.Configuration);
builder.Services.AddCoachHealthChecks();
builder.Services.AddCoachAuthentication(builder.Configuration, builder.Environment);
builder.Services.AddCoachApi();
builder.Services.AddCoachCors(builder.Configuration);

return await StartupFailure.RunAsync(builder, app =>
{
    app.Logger.LogInformation("Garbage collector: {Settings}", GarbageCollectorSettings.Describe());
    app.UseCoachWebPage();
    app.UseCors(CorsSetup.PolicyName);
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapCoachHealthChecks();
    app.MapCoachApi();
    app.MapCoachHub();
    if (app.Environment.IsDevelopment())
    {
        app.MapDevTokenEndpoint();
    }
});

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
