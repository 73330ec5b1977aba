using CoachService.Goals;
using CoachService.Privacy;
using CoachService.Profiles;
using CoachService.Progress;
using CoachService.Safety;
using CoachService.Sessions;
using CoachService.Users;
using CoachService.Wellbeing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CoachService;

public static class DomainServiceCollectionExtensions
{
    /// <summary>The coaching domain's services; they need <c>AddCoachPersistence</c>.</summary>
    public static IServiceCollection AddCoachDomain(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<UserProvisioning>();
        services.AddSingleton<PersonalityProfiles>();
        services.AddSingleton<CoachingPreferenceStore>();
        services.AddSingleton<GoalBook>();
        services.AddSingleton<CoachingSessions>();
        services.AddSingleton<SessionCompletion>();
        services.AddSingleton<ProgressQueries>();
        services.AddSingleton<UserDataPrivacy>();
        services.AddSingleton<MoodJournal>();
        services.AddCoachSafety();
        return services;
    }
}
