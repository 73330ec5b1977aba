using CoachService.Llm.Tasks;
using CoachService.Profiles;

namespace CoachService.Llm.Offline;

/// <summary>
/// How one coach persona speaks. Every line is a short spoken sentence; "{name}", "{emotion}",
/// "{reflection}" and "{goal}" are filled in by <see cref="PersonaReplyWriter"/>.
/// </summary>
/// <param name="Openers">First words, with and without the user's name.</param>
/// <param name="Reflections">Frames for the user's own words when they start with "you".</param>
/// <param name="Mentions">Frames for the user's words otherwise.</param>
/// <param name="HardFeelings">Acknowledges an unpleasant emotion.</param>
/// <param name="GoodFeelings">Acknowledges a pleasant emotion.</param>
/// <param name="NoFeeling">When no emotion was detected.</param>
/// <param name="GoalNods">Links the turn to an active goal.</param>
/// <param name="Perspectives">The persona's signature move: action, warmth, pace or perspective.</param>
/// <param name="QuestionsByDisc">One follow-up question per DISC style, in D, I, S, C order.</param>
/// <param name="EmptyTurn">What the persona says when the user said nothing.</param>
internal sealed record PersonaVoice(
    IReadOnlyList<string> Openers,
    IReadOnlyList<string> Reflections,
    IReadOnlyList<string> Mentions,
    IReadOnlyList<string> HardFeelings,
    IReadOnlyList<string> GoodFeelings,
    IReadOnlyList<string> NoFeeling,
    IReadOnlyList<string> GoalNods,
    IReadOnlyList<string> Perspectives,
    IReadOnlyList<string> QuestionsByDisc,
    string EmptyTurn)
{
    public static PersonaVoice For(string? persona) => persona switch
    {
        CoachPersona.ConfidentCoach => ConfidentCoach,
        CoachPersona.GentleGuide => GentleGuide,
        CoachPersona.WiseMentor => WiseMentor,
        _ => WarmFriend,
    };

    private static readonly PersonaVoice ConfidentCoach = new(
        Openers: ["Okay, {name}.", "Right, {name}.", "Got it, {name}.", "Good, {name}, let's go."],
        Reflections: ["Here's what I'm hearing: {reflection}.", "So {reflection}.", "Bottom line, {reflection}."],
        Mentions: ["You brought up {reflection}.", "Let's look at {reflection}.", "You said {reflection}."],
        HardFeelings: ["Feeling {emotion} is a signal, not a stop sign.", "Being {emotion} is real, and it's workable.", "Feeling {emotion} tells us where to aim."],
        GoodFeelings: ["Feeling {emotion} is good news. Let's build on that.", "That {emotion} energy is fuel. Use it.", "You're {emotion}, and that's momentum."],
        NoFeeling: ["Let's get clear on it.", "Let's make this concrete."],
        GoalNods: ["This connects straight to your goal: {goal}.", "Keep your goal in front of you: {goal}."],
        Perspectives: ["Let's turn this into one move you can make today.", "Pick the smallest step and take it before tonight.", "You don't need a perfect plan. You need a first step."],
        QuestionsByDisc:
        [
            "What's the one action you'll commit to in the next 24 hours?",
            "Who could you tell about your next step so you follow through?",
            "What's one small, steady step you can take this week?",
            "What would a clear first step look like, and when will you do it?",
        ],
        EmptyTurn: "I'm ready when you are. What do you want to tackle today?");

    private static readonly PersonaVoice WarmFriend = new(
        Openers: ["Oh, {name}.", "I hear you, {name}.", "Aw, {name}.", "Thanks for telling me, {name}."],
        Reflections: ["It sounds like {reflection}.", "So {reflection}. I get that.", "Okay, so {reflection}."],
        Mentions: ["You mentioned {reflection}.", "I'm thinking about what you said, {reflection}.", "So there's {reflection}."],
        HardFeelings: ["Honestly, feeling {emotion} like that makes total sense.", "Of course you're {emotion}. That's a lot to carry.", "Feeling {emotion} is so human. You're not alone in it."],
        GoodFeelings: ["I love that you're feeling {emotion}.", "Feeling {emotion} looks good on you.", "That makes me happy. You sound {emotion}."],
        NoFeeling: ["I'm right here with you.", "I'm all ears."],
        GoalNods: ["And hey, it ties in with your goal, {goal}.", "It makes me think of your goal, {goal}."],
        Perspectives: ["You don't have to figure it all out at once.", "Go easy on yourself today.", "I'm in your corner either way."],
        QuestionsByDisc:
        [
            "What do you want to do about it first?",
            "Who in your life could you share this with?",
            "What would make today feel a little easier for you?",
            "What part of it would help most to talk through?",
        ],
        EmptyTurn: "I'm here whenever you're ready. What's on your mind today?");

    private static readonly PersonaVoice GentleGuide = new(
        Openers: ["Let's slow down for a moment, {name}.", "Thank you for sharing that, {name}.", "I'm here with you, {name}.", "Take your time, {name}."],
        Reflections: ["I'm hearing that {reflection}.", "It sounds like {reflection}.", "Gently, it seems {reflection}."],
        Mentions: ["You spoke about {reflection}.", "Let's hold {reflection} for a moment.", "You mentioned {reflection}."],
        HardFeelings: ["It's okay to feel {emotion}. Let that feeling be here for a moment.", "Feeling {emotion} is allowed. You don't have to push it away.", "Being {emotion} can feel heavy. Let's make some room for it."],
        GoodFeelings: ["Notice how it feels to be {emotion}. Let yourself rest in that.", "Feeling {emotion} is worth savouring, slowly.", "Let that {emotion} feeling settle in."],
        NoFeeling: ["There's no right way to feel here.", "Whatever is here is welcome."],
        GoalNods: ["I wonder how this sits with your goal, {goal}.", "Your goal, {goal}, can wait a breath while we look at this."],
        Perspectives: ["Take a slow breath. There's no rush here.", "One small breath at a time is enough.", "You're doing better than you think, just by noticing this."],
        QuestionsByDisc:
        [
            "What is one gentle thing you could do for yourself right now?",
            "Who helps you feel a little lighter when things are like this?",
            "When you notice this feeling, where do you feel it in your body?",
            "What would help you feel a little more settled about it?",
        ],
        EmptyTurn: "There's no hurry. When you're ready, what would you like to share?");

    private static readonly PersonaVoice WiseMentor = new(
        Openers: ["{name}, let's step back for a moment.", "I see, {name}.", "That's worth pausing on, {name}.", "{name}, thank you for putting that into words."],
        Reflections: ["What I hear is that {reflection}.", "You're telling me that {reflection}.", "It seems {reflection}."],
        Mentions: ["You spoke of {reflection}.", "Consider what you said, {reflection}.", "There's meaning in {reflection}."],
        HardFeelings: ["Feeling {emotion} often points to something that matters deeply to you.", "Being {emotion} is a teacher, if we listen to it.", "Many people feel {emotion} at a crossroads like this."],
        GoodFeelings: ["Moments of feeling {emotion} show you what fits your life.", "Feeling {emotion} is worth remembering on harder days.", "Notice what made you {emotion}. It's a clue."],
        NoFeeling: ["Every situation carries a lesson.", "Let's look at this from a little further away."],
        GoalNods: ["Hold this alongside your goal: {goal}.", "Your goal, {goal}, may be part of this story."],
        Perspectives: ["A year from now, this moment may look like a turning point.", "The way through is usually smaller and closer than it seems.", "Seasons like this pass, and they leave us wiser."],
        QuestionsByDisc:
        [
            "What decision is this asking you to make?",
            "Who has walked this road before you, and what would they say?",
            "What would the steadiest version of you do here?",
            "What might this be trying to teach you?",
        ],
        EmptyTurn: "Silence can be a good place to begin. What has been on your mind lately?");
}
