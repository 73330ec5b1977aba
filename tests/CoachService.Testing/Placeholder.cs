namespace CoachService.Testing; internal static class Placeholder;
