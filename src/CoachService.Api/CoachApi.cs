using System.Text.Json;
using CoachService.Api.Errors;
using CoachService.Api.Goals;
using CoachService.Api.Me;
using CoachService.Api.OpenApi;
using CoachService.Api.Progress;
using CoachService.Api.Sessions;
using CoachService.Api.Wellbeing;

namespace CoachService.Api;

/// <summary>The REST API under <c>/api</c>: every route needs a signed-in user and sees only that user's data.</summary>
public static class CoachApi
{
    /// <summary>Problem details, the mapping of domain errors to them, snake_case JSON and the OpenAPI document.</summary>
    public static IServiceCollection AddCoachApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<DomainProblemHandler>();
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.Converters.Add(new Errors.NulRefusingStringConverter());
        });

        // Unreadable input (bad JSON, a query value of the wrong type) is thrown in every environment,
        // not only in Development, so that DomainProblemHandler answers it as a problem document.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<BearerSecurityTransformer>();
            options.AddOperationTransformer<BearerSecurityTransformer>();
        });
        return services;
    }

    /// <summary>
    /// Maps every feature's routes and, for requests under /api only, puts the exception handler in
    /// front of them (domain exceptions become problem documents, other failures a bare 500 problem)
    /// and gives empty error answers (415, 405, an unknown route's 404) a problem document too. The
    /// 401 challenge comes from the authorization middleware before this and stays bare (RFC 6750).
    /// The OpenAPI document is at /openapi/v1.json in Development.
    /// </summary>
    public static WebApplication MapCoachApi(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        app.MapMeApi();
        app.MapSessionsApi();
        app.MapGoalsApi();
        app.MapProgressApi();
        app.MapMoodCheckInsApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
        }

        return app;
    }
}
