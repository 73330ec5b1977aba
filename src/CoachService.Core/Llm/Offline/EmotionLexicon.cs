namespace CoachService.Llm.Offline;

/// <summary>One emotion the offline engine can name, with the words that signal it.</summary>
/// <param name="Name">The emotion word written to the snapshot.</param>
/// <param name="Color">Its UI colour, "#RRGGBB".</param>
/// <param name="IsPleasant">Whether it is a pleasant feeling; the reply writer acknowledges the two kinds differently.</param>
/// <param name="WhenNegated">The emotion a negated phrase points to instead ("not happy" reads as sad), or null.</param>
/// <param name="Phrases">Words and phrases; a trailing '*' matches any ending.</param>
public sealed record EmotionEntry(string Name, string Color, bool IsPleasant, string? WhenNegated, IReadOnlyList<string> Phrases);

/// <summary>The hand-written emotion vocabulary of the offline engine.</summary>
public static class EmotionLexicon
{
    public static EmotionEntry Neutral { get; } = new("neutral", "#B0BEC5", true, null, []);

    public static IReadOnlyList<EmotionEntry> All { get; } =
    [
        new("anxious", "#F4A261", false, "calm",
        [
            "anxious", "anxiety", "worr*", "nervous*", "panic*", "on edge", "uneasy", "restless", "tense", "jittery",
            "dread*", "apprehensive", "what if", "overthink*", "freaking out", "freaked out", "butterflies", "can't sleep",
            "racing thoughts", "fret*", "troubled", "edgy", "keyed up", "wound up", "unsettled", "insecure", "antsy", "jumpy",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "ansios*", "preocupad*", "nervos*", "inquiet*", "aflit*", "angusti*", "anxieu*", "angoiss*", "stresse*",
        ]),
        new("stressed", "#E9C46A", false, "calm",
        [
            "stress", "stressed", "stressful", "pressure", "pressured", "under the gun", "deadline*", "swamped", "frazzled",
            "burnt out", "burned out", "burnout", "stretched thin", "too much on my plate", "hectic", "rushed", "strained",
            "crunch", "juggling", "snowed under", "at my limit", "running on empty",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "estress*", "estres*", "estresad*", "sob pressao", "bajo presion", "sous pression",
        ]),
        new("overwhelmed", "#9D4EDD", false, null,
        [
            "overwhelm*", "too much", "drowning", "can't cope", "cannot cope", "can't keep up", "falling apart", "buried",
            "out of control", "can't handle", "spiralling", "spiraling", "so much to do", "everything at once", "breaking point",
            "in over my head", "losing it",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "sobrecarregad*", "agobiad*", "abrumad*", "desbordad*", "deborde*", "submerge*", "nao dou conta", "no puedo con todo",
        ]),
        new("sad", "#4A6FA5", false, null,
        [
            "sad", "sadness", "unhappy", "feeling down", "feel down", "depress*", "cry*", "cried", "tears", "heartbroken", "miserable", "gloomy",
            "blue", "feeling low", "hopeless", "grief", "griev*", "mourning", "empty", "lost", "hurt", "hurting", "disappointed",
            "disappointment", "let down", "devastated", "upset", "sorrow", "melanchol*", "numb", "heavy heart",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "triste*", "tristeza", "tristesse", "deprimid*", "deprime*", "chorando", "chorei", "llorando", "llore", "pleure*", "desanimad*", "decepcionad*", "decu*",
        ]),
        new("lonely", "#6C757D", false, null,
        [
            "lonely", "loneliness", "alone", "isolated", "left out", "nobody cares", "no one cares", "no friends", "by myself",
            "disconnected", "abandoned", "unwanted", "invisible", "ignored", "rejected", "excluded", "miss them", "missing them",
            "on my own",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "sozinh*", "solidao", "soledad", "solitude", "seul", "seule", "me siento sol*", "isolad*", "isole*", "aislad*",
        ]),
        new("angry", "#D62828", false, "calm",
        [
            "angry", "anger", "mad", "furious", "rage", "raging", "livid", "pissed", "hate", "hated", "resent*", "outraged",
            "fuming", "seething", "infuriat*", "bitter", "hostile", "snapped", "yelled", "screamed", "lost my temper",
            "fed up", "sick of",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "raiva", "rabia", "colere", "irritad*", "enojad*", "furios*", "furieu*", "enerve*", "chatead*",
        ]),
        new("frustrated", "#E76F51", false, null,
        [
            "frustrat*", "annoy*", "irritat*", "stuck", "blocked", "going nowhere", "fed up", "impatient", "aggravat*",
            "exasperat*", "bothered", "grr*", "ugh", "argh", "hitting a wall", "banging my head", "nothing works",
            "same old", "again and again", "pointless",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "frustrad*", "frustre*", "frustracao", "frustracion", "travad*", "atascad*", "bloque*",
        ]),
        new("afraid", "#5E548E", false, "calm",
        [
            "afraid", "scared", "fear", "fears", "fearful", "terrified", "frightened", "petrified", "spooked", "unsafe",
            "alarmed", "threatened", "horrified", "dreading", "intimidated", "shaking", "trembling",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "medo", "miedo", "peur", "assustad*", "asustad*", "apavorad*", "aterrad*", "effraye*", "terrifie*",
        ]),
        new("ashamed", "#8D6E63", false, "proud",
        [
            "ashamed", "shame", "guilt*", "embarrass*", "humiliat*", "regret*", "my fault", "stupid", "worthless",
            "not good enough", "failure", "failed", "a mess", "useless", "pathetic", "disgusted with myself", "hate myself",
            "self-conscious", "awkward",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "vergonha", "verguenza", "honte", "culpad*", "culpable*", "coupable*", "fracass*", "echec",
        ]),
        new("tired", "#A8A4CE", false, null,
        [
            "tired", "exhausted", "exhausting", "drained", "worn out", "fatigue*", "sleepy", "weary", "no energy",
            "run down", "wiped out", "sluggish", "can't get up", "lethargic", "depleted",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "cansad*", "cansaco", "cansancio", "exaust*", "agotad*", "fatigue*", "epuise*", "creve*", "esgotad*", "sem energia", "sin energia",
        ]),
        new("confused", "#ADB5BD", false, null,
        [
            "confused", "confusing", "unsure", "uncertain", "don't know what to do", "torn", "lost", "mixed feelings",
            "doubt*", "unclear", "puzzled", "conflicted", "indecisive", "second-guessing", "don't understand", "mixed up",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "confus*", "perdid*", "perdu*", "indecis*", "nao sei o que fazer", "no se que hacer", "je ne sais pas quoi faire",
        ]),
        new("happy", "#FFD166", true, "sad",
        [
            "happy", "happier", "happiest", "glad", "joy", "joyful", "great", "good", "wonderful", "fantastic", "amazing",
            "awesome", "delighted", "cheerful", "content", "pleased", "thrilled", "smiling", "laugh*", "fun", "lovely",
            "brilliant", "better", "upbeat", "on top of the world", "over the moon",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "feliz", "felizes", "contente*", "alegre*", "alegria", "heureu*", "ravi*", "joie",
        ]),
        new("excited", "#FF8FAB", true, null,
        [
            "excit*", "thrilled", "can't wait", "pumped", "stoked", "eager", "looking forward", "energi*", "buzzing",
            "psyched", "fired up", "enthusias*", "motivated", "inspired", "passionate", "ready to go",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "animad*", "empolgad*", "ilusionad*", "emocionad*", "entusiasmad*", "impatiente*", "hate de",
        ]),
        new("grateful", "#06D6A0", true, null,
        [
            "grateful", "gratitude", "thankful", "thank*", "appreciat*", "blessed", "lucky", "fortunate", "means a lot",
            "so glad i have", "touched",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "agradecid*", "gratitud", "gratidao", "gracias", "reconnaissant*", "merci",
        ]),
        new("hopeful", "#8AC926", true, "sad",
        [
            "hope", "hopeful", "hoping", "optimistic", "positive", "encouraged", "looking up", "getting better", "on track",
            "a way forward", "promising", "brighter", "confident", "believe i can", "fresh start", "new chapter",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "esperanc*", "esperanza", "espoir", "otimista*", "optimista*", "optimiste*", "esperanzad*",
        ]),
        new("proud", "#F77F00", true, "ashamed",
        [
            "proud", "pride", "accomplished", "achieved", "nailed it", "did it", "managed to", "finally", "succeeded",
            "won", "progress", "made it", "pulled it off", "proud of myself", "i did well",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "orgulh*", "orgull*", "fier", "fiere", "fiers", "consegui", "lo logre", "j'ai reussi",
        ]),
        new("calm", "#90E0EF", true, "anxious",
        [
            "calm", "calmer", "relaxed", "peaceful", "at peace", "serene", "centred", "centered", "grounded", "settled",
            "at ease", "rested", "relieved", "relief", "balanced", "chill", "steady",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "calm*", "tranquil*", "seren*", "em paz", "en paz", "apaise*", "aliviad*", "soulage*",
        ]),
        new("loved", "#FF6B6B", true, "lonely",
        [
            "loved", "cared for", "supported", "close to", "connected", "belong", "accepted", "understood", "cherished",
            "appreciated", "valued",
            // Portuguese, Spanish and French, written without accents: matching folds them away.
            "amad*", "querid*", "apoiad*", "apoyad*", "soutenu*", "entourad*", "rodead*",
        ]),
    ];

    public static EmotionEntry Get(string name) => All.FirstOrDefault(entry => entry.Name == name) ?? Neutral;
}
