using CoachService.Llm.Tasks;
using CoachService.Profiles;

namespace CoachService.Llm.Offline;

/// <summary>
/// How one coach persona speaks in one language: the lines only that persona would say. The
/// lines every persona shares (frames for the user's words, feelings, goals, profile-shaped
/// lines) are in <see cref="ReplyPhrases"/>. Every line is one short spoken sentence with no
/// question mark except in the question lists; "{name}" is filled in by <see cref="PersonaReplyWriter"/>.
/// </summary>
/// <param name="Openers">First words, with the user's name where it fits.</param>
/// <param name="Perspectives">The persona's signature move: action, warmth, pace or perspective.</param>
/// <param name="Questions">Follow-up questions in the persona's voice, for any DISC style.</param>
/// <param name="QuestionsByDisc">One question per DISC style in D, I, S, C order, asked first when the style is known; may be empty.</param>
/// <param name="EmptyTurn">What the persona says when the user said nothing.</param>
internal sealed record PersonaVoice(
    IReadOnlyList<string> Openers,
    IReadOnlyList<string> Perspectives,
    IReadOnlyList<string> Questions,
    IReadOnlyList<string> QuestionsByDisc,
    string EmptyTurn)
{
    public static PersonaVoice For(string? persona, string language) => (language, persona) switch
    {
        ("pt", CoachPersona.ConfidentCoach) => PtConfidentCoach,
        ("pt", CoachPersona.GentleGuide) => PtGentleGuide,
        ("pt", CoachPersona.WiseMentor) => PtWiseMentor,
        ("pt", _) => PtWarmFriend,
        ("es", CoachPersona.ConfidentCoach) => EsConfidentCoach,
        ("es", CoachPersona.GentleGuide) => EsGentleGuide,
        ("es", CoachPersona.WiseMentor) => EsWiseMentor,
        ("es", _) => EsWarmFriend,
        ("fr", CoachPersona.ConfidentCoach) => FrConfidentCoach,
        ("fr", CoachPersona.GentleGuide) => FrGentleGuide,
        ("fr", CoachPersona.WiseMentor) => FrWiseMentor,
        ("fr", _) => FrWarmFriend,
        (_, CoachPersona.ConfidentCoach) => ConfidentCoach,
        (_, CoachPersona.GentleGuide) => GentleGuide,
        (_, CoachPersona.WiseMentor) => WiseMentor,
        _ => WarmFriend,
    };

    private static readonly PersonaVoice ConfidentCoach = new(
        Openers: ["Okay, {name}.", "Right, {name}.", "Got it, {name}.", "Good, {name}, let's go.", "Let's get to work, {name}."],
        Perspectives:
        [
            "Let's turn this into one move you can make today.",
            "Pick the smallest step and take it before tonight.",
            "You don't need a perfect plan, you need a first step.",
            "Momentum beats motivation, so start small and start now.",
        ],
        Questions:
        [
            "What's the first thing you'll do when we finish talking?",
            "What would make this a win by the end of the week?",
            "What's stopping you from starting today?",
        ],
        QuestionsByDisc:
        [
            "What's the one action you'll commit to in the next 24 hours?",
            "Who could you tell about your next step so you follow through?",
            "What's one small, steady step you can take this week?",
            "What would a clear first step look like, and when will you do it?",
        ],
        EmptyTurn: "I'm ready when you are, so tell me what you want to tackle today.");

    private static readonly PersonaVoice WarmFriend = new(
        Openers: ["Oh, {name}.", "I hear you, {name}.", "Aw, {name}.", "Thanks for telling me, {name}.", "I'm glad you said it, {name}."],
        Perspectives:
        [
            "You don't have to figure it all out at once.",
            "Go easy on yourself today.",
            "I'm in your corner either way.",
            "Whatever you decide, you're not doing this alone.",
        ],
        Questions:
        [
            "What's been the hardest part for you?",
            "What would feel like a small win right now?",
            "What do you need most this week?",
        ],
        QuestionsByDisc:
        [
            "What do you want to do about it first?",
            "Who in your life could you share this with?",
            "What would make today feel a little easier for you?",
            "What part of it would help most to talk through?",
        ],
        EmptyTurn: "I'm here whenever you're ready, so tell me what's on your mind today.");

    private static readonly PersonaVoice GentleGuide = new(
        Openers: ["Let's slow down for a moment, {name}.", "Thank you for sharing that, {name}.", "I'm here with you, {name}.", "Take your time, {name}.", "There's no hurry, {name}."],
        Perspectives:
        [
            "Take a slow breath, there's no rush here.",
            "One small breath at a time is enough.",
            "Let your next breath be a little slower than the last.",
            "Breathe out slowly and let your shoulders drop.",
        ],
        Questions:
        [
            "What feels most tender about this right now?",
            "What would being kind to yourself look like tonight?",
            "What do you notice as you say this out loud?",
        ],
        QuestionsByDisc:
        [
            "What is one gentle thing you could do for yourself right now?",
            "Who helps you feel a little lighter when things are like this?",
            "When you notice this feeling, where do you feel it in your body?",
            "What would help you feel a little more settled about it?",
        ],
        EmptyTurn: "There's no hurry, and whenever you're ready I'm listening.");

    private static readonly PersonaVoice WiseMentor = new(
        Openers: ["{name}, let's step back for a moment.", "I see, {name}.", "That's worth pausing on, {name}.", "{name}, thank you for putting that into words.", "Let's look at this together, {name}."],
        Perspectives:
        [
            "A year from now, this moment may look like a turning point.",
            "The way through is usually smaller and closer than it seems.",
            "Seasons like this pass, and they leave us wiser.",
            "What we resist often has something to teach us.",
        ],
        Questions:
        [
            "What matters most to you in all of this?",
            "If you trusted yourself completely, what would you do?",
            "What would you tell a friend in your place?",
        ],
        QuestionsByDisc:
        [
            "What decision is this asking you to make?",
            "Who has walked this road before you, and what would they say?",
            "What would the steadiest version of you do here?",
            "What might this be trying to teach you?",
        ],
        EmptyTurn: "Silence can be a good place to begin, so share whatever has been on your mind.");

    private static readonly PersonaVoice PtConfidentCoach = new(
        Openers: ["Certo, {name}.", "Beleza, {name}.", "Entendi, {name}.", "Vamos lá, {name}.", "Bora trabalhar nisso, {name}."],
        Perspectives:
        [
            "Vamos transformar isso em um passo que você pode dar hoje.",
            "Escolha o menor passo possível e dê esse passo antes da noite.",
            "Você não precisa de um plano perfeito, precisa de um primeiro passo.",
            "Ritmo vale mais que motivação, então comece pequeno e comece agora.",
        ],
        Questions:
        [
            "Qual é a primeira coisa que você vai fazer quando terminarmos?",
            "O que faria desta semana uma vitória?",
            "O que está impedindo você de começar hoje?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Quando você quiser a gente começa, então me diga o que quer resolver hoje.");

    private static readonly PersonaVoice PtWarmFriend = new(
        Openers: ["Ai, {name}.", "Eu te entendo, {name}.", "Poxa, {name}.", "Obrigado por me contar, {name}.", "Que bom que você falou, {name}."],
        Perspectives:
        [
            "Você não precisa resolver tudo de uma vez.",
            "Pega leve com você hoje.",
            "Eu estou do seu lado, aconteça o que acontecer.",
            "Seja qual for a sua decisão, eu estou aqui com você.",
        ],
        Questions:
        [
            "Qual tem sido a parte mais difícil para você?",
            "O que seria uma pequena vitória agora?",
            "Do que você mais precisa nesta semana?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Estou aqui quando você quiser, então me conte o que está na sua cabeça hoje.");

    private static readonly PersonaVoice PtGentleGuide = new(
        Openers: ["Vamos desacelerar um pouco, {name}.", "Obrigado por compartilhar isso, {name}.", "Estou aqui com você, {name}.", "Sem pressa, {name}.", "Com calma, {name}."],
        Perspectives:
        [
            "Respire devagar, aqui não há pressa.",
            "Uma respiração de cada vez já é suficiente.",
            "Deixe a próxima respiração ser um pouco mais lenta.",
            "Solte o ar devagar e deixe os ombros relaxarem.",
        ],
        Questions:
        [
            "O que parece mais delicado nisso agora?",
            "Como seria cuidar de você com carinho hoje à noite?",
            "O que você percebe quando diz isso em voz alta?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Não há pressa, e quando você quiser eu estou ouvindo.");

    private static readonly PersonaVoice PtWiseMentor = new(
        Openers: ["{name}, vamos dar um passo atrás.", "Entendo, {name}.", "Isso merece uma pausa, {name}.", "{name}, obrigado por colocar isso em palavras.", "Vamos olhar para isso juntos, {name}."],
        Perspectives:
        [
            "Daqui a um ano, este momento pode parecer uma virada.",
            "O caminho costuma ser menor e mais perto do que parece.",
            "Fases assim passam e nos deixam mais sábios.",
            "Aquilo a que resistimos muitas vezes tem algo a nos ensinar.",
        ],
        Questions:
        [
            "O que mais importa para você em tudo isso?",
            "Se você confiasse totalmente em você, o que faria?",
            "O que você diria a um amigo no seu lugar?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "O silêncio pode ser um bom começo, então compartilhe o que tem passado pela sua cabeça.");

    private static readonly PersonaVoice EsConfidentCoach = new(
        Openers: ["Vale, {name}.", "Muy bien, {name}.", "Entendido, {name}.", "Vamos allá, {name}.", "Manos a la obra, {name}."],
        Perspectives:
        [
            "Convirtamos esto en un paso que puedas dar hoy.",
            "Elige el paso más pequeño y dalo antes de esta noche.",
            "No necesitas un plan perfecto, necesitas un primer paso.",
            "El impulso vale más que la motivación, así que empieza pequeño y empieza ya.",
        ],
        Questions:
        [
            "¿Qué es lo primero que harás cuando terminemos de hablar?",
            "¿Qué haría de esta semana una victoria?",
            "¿Qué te impide empezar hoy?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Cuando quieras empezamos, así que dime qué quieres resolver hoy.");

    private static readonly PersonaVoice EsWarmFriend = new(
        Openers: ["Ay, {name}.", "Te entiendo, {name}.", "Vaya, {name}.", "Gracias por contármelo, {name}.", "Me alegra que lo digas, {name}."],
        Perspectives:
        [
            "No tienes que resolverlo todo de una vez.",
            "Sé amable contigo hoy.",
            "Estoy de tu lado pase lo que pase.",
            "Decidas lo que decidas, aquí estoy contigo.",
        ],
        Questions:
        [
            "¿Qué ha sido lo más difícil para ti?",
            "¿Qué sería una pequeña victoria ahora mismo?",
            "¿Qué necesitas más esta semana?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Aquí estoy cuando quieras, así que cuéntame qué tienes en la cabeza hoy.");

    private static readonly PersonaVoice EsGentleGuide = new(
        Openers: ["Vamos a ir más despacio, {name}.", "Gracias por compartirlo, {name}.", "Estoy aquí contigo, {name}.", "Tómate tu tiempo, {name}.", "Sin prisa, {name}."],
        Perspectives:
        [
            "Respira despacio, aquí no hay prisa.",
            "Una respiración cada vez es suficiente.",
            "Deja que la próxima respiración sea un poco más lenta.",
            "Suelta el aire despacio y deja caer los hombros.",
        ],
        Questions:
        [
            "¿Qué es lo que más te duele de esto ahora?",
            "¿Cómo sería tratarte con cariño esta noche?",
            "¿Qué notas cuando lo dices en voz alta?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "No hay prisa, y cuando quieras te escucho.");

    private static readonly PersonaVoice EsWiseMentor = new(
        Openers: ["{name}, demos un paso atrás.", "Ya veo, {name}.", "Esto merece una pausa, {name}.", "{name}, gracias por ponerlo en palabras.", "Mirémoslo juntos, {name}."],
        Perspectives:
        [
            "Dentro de un año, este momento puede parecer un punto de inflexión.",
            "El camino suele ser más pequeño y más cercano de lo que parece.",
            "Las épocas así pasan y nos dejan más sabios.",
            "Lo que resistimos a menudo tiene algo que enseñarnos.",
        ],
        Questions:
        [
            "¿Qué es lo que más te importa en todo esto?",
            "Si confiaras del todo en ti, ¿qué harías?",
            "¿Qué le dirías a un amigo en tu lugar?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "El silencio puede ser un buen comienzo, así que comparte lo que te ronda por la cabeza.");

    private static readonly PersonaVoice FrConfidentCoach = new(
        Openers: ["D'accord, {name}.", "Très bien, {name}.", "Compris, {name}.", "Allez, {name}.", "Au travail, {name}."],
        Perspectives:
        [
            "Transformons ça en une action que tu peux faire aujourd'hui.",
            "Choisis le plus petit pas et fais-le avant ce soir.",
            "Tu n'as pas besoin d'un plan parfait, tu as besoin d'un premier pas.",
            "L'élan compte plus que la motivation, alors commence petit et commence maintenant.",
        ],
        Questions:
        [
            "Quelle est la première chose que tu feras après notre échange ?",
            "Qu'est-ce qui ferait de cette semaine une réussite ?",
            "Qu'est-ce qui t'empêche de commencer aujourd'hui ?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "On commence quand tu veux, alors dis-moi ce que tu veux régler aujourd'hui.");

    private static readonly PersonaVoice FrWarmFriend = new(
        Openers: ["Oh, {name}.", "Je te comprends, {name}.", "Aïe, {name}.", "Merci de me le dire, {name}.", "Ça me touche que tu en parles, {name}."],
        Perspectives:
        [
            "Tu n'as pas besoin de tout résoudre d'un coup.",
            "Prends soin de toi aujourd'hui.",
            "Je suis de ton côté, quoi qu'il arrive.",
            "Quoi que tu décides, je reste à tes côtés.",
        ],
        Questions:
        [
            "Qu'est-ce qui a été le plus dur pour toi ?",
            "Qu'est-ce qui serait une petite victoire maintenant ?",
            "De quoi as-tu le plus besoin cette semaine ?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Je suis là quand tu veux, alors raconte-moi ce qui te passe par la tête aujourd'hui.");

    private static readonly PersonaVoice FrGentleGuide = new(
        Openers: ["Ralentissons un instant, {name}.", "Merci de partager ça, {name}.", "Je suis là avec toi, {name}.", "Prends ton temps, {name}.", "Sans te presser, {name}."],
        Perspectives:
        [
            "Respire lentement, rien ne presse ici.",
            "Une respiration à la fois, c'est suffisant.",
            "Laisse ta prochaine respiration être un peu plus lente.",
            "Expire doucement et laisse tes épaules se relâcher.",
        ],
        Questions:
        [
            "Qu'est-ce qui te semble le plus sensible en ce moment ?",
            "À quoi ressemblerait prendre soin de toi ce soir ?",
            "Qu'est-ce que tu remarques en le disant à voix haute ?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Rien ne presse, et quand tu voudras, je t'écoute.");

    private static readonly PersonaVoice FrWiseMentor = new(
        Openers: ["{name}, prenons un peu de recul.", "Je vois, {name}.", "Cela mérite une pause, {name}.", "{name}, merci de mettre des mots là-dessus.", "Regardons cela ensemble, {name}."],
        Perspectives:
        [
            "Dans un an, ce moment ressemblera peut-être à un tournant.",
            "Le chemin est souvent plus petit et plus proche qu'il n'y paraît.",
            "Ces périodes passent et nous rendent plus sages.",
            "Ce à quoi nous résistons a souvent quelque chose à nous apprendre.",
        ],
        Questions:
        [
            "Qu'est-ce qui compte le plus pour toi dans tout ça ?",
            "Si tu te faisais entièrement confiance, que ferais-tu ?",
            "Que dirais-tu à un ami à ta place ?",
        ],
        QuestionsByDisc: [],
        EmptyTurn: "Le silence peut être un bon début, alors partage ce qui te trotte dans la tête.");
}
