namespace CoachService.Profiles;

/// <summary>Coach personas, as stored in coaching preferences (seed 001 ritual_preferences.voice_id).</summary>
public static class CoachPersona
{
    public const string ConfidentCoach = "confident_coach";
    public const string WarmFriend = "warm_friend";
    public const string GentleGuide = "gentle_guide";
    public const string WiseMentor = "wise_mentor";

    public static IReadOnlyList<string> All { get; } = [ConfidentCoach, WarmFriend, GentleGuide, WiseMentor];
}
