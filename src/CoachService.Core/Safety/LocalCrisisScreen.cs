using System.Text.RegularExpressions;

namespace CoachService.Safety;

/// <summary>
/// Screens one message for crisis language in English, Portuguese, Spanish and French, without
/// a model and without I/O, so crisis help never waits on (or depends on) a provider. It errs
/// toward caution: obfuscations ("k1ll mys3lf", "k i l l myself", "unalive", "sewer slide") and
/// euphemisms ("I don't want to wake up tomorrow", pills saved up to take all at once) count.
/// Figures of speech ("this traffic is killing me", "matar a saudade", "muerto de risa",
/// "tuer le temps") are removed first; a negated phrase ("I would never hurt myself") and a
/// past crisis ("two years ago I tried to end my life") lower the level instead of raising the
/// alarm. The rationale describes the finding in general words and never quotes the message.
/// </summary>
public sealed partial class LocalCrisisScreen
{
    /// <summary>Stored as the model of a reply the local screen decided, so the record says no model was asked.</summary>
    public const string ScreenName = "coach-local-crisis-screen";

    private const int MaxRationale = 300;
    private const int MaxCategories = 5;

    private static readonly CrisisPattern[] Patterns =
    [
        new(CrisisCategory.SuicidalIdeation, CrisisRisk.Crisis, SuicideCrisis()),
        new(CrisisCategory.SuicidalIdeation, CrisisRisk.Elevated, SuicidePassive()),
        new(CrisisCategory.SelfHarm, CrisisRisk.Crisis, SelfHarmCrisis()),
        new(CrisisCategory.HarmToOthers, CrisisRisk.Crisis, HarmOthersIntent()),
        new(CrisisCategory.HarmToOthers, CrisisRisk.Elevated, HarmOthersVague()),
        new(CrisisCategory.Abuse, CrisisRisk.Crisis, AbuseDanger()),
        new(CrisisCategory.Abuse, CrisisRisk.Elevated, AbuseOngoing()),
        new(CrisisCategory.MedicalEmergency, CrisisRisk.Crisis, MedicalCrisis()),
        new(CrisisCategory.MedicalEmergency, CrisisRisk.Elevated, MedicalWorrying()),
    ];

    /// <summary>Decides at once whether <paramref name="message"/> needs the crisis reply, and why.</summary>
    public CrisisScreenResult Screen(string? message)
    {
        var normalised = CrisisText.Normalise(message);
        var hadIdiom = Idioms().IsMatch(normalised);
        var text = Idioms().Replace(normalised, " ");

        var findings = new List<Finding>();
        foreach (var pattern in Patterns)
        {
            foreach (Match match in pattern.Regex.Matches(text))
            {
                var context = Context(text, match);
                var risk = context switch
                {
                    Reading.Negated => CrisisRisk.Low,
                    Reading.Past => pattern.Risk == CrisisRisk.Crisis ? CrisisRisk.Elevated : CrisisRisk.Low,
                    _ => pattern.Risk,
                };
                findings.Add(new Finding(pattern.Category, risk, context));
            }
        }

        if (findings.Count == 0)
        {
            return LowMood().IsMatch(text)
                ? new CrisisScreenResult(CrisisRisk.Low, [], "Signs of strain or low mood, with no crisis, self-harm, abuse or emergency language; coaching can continue with care.")
                : new CrisisScreenResult(CrisisRisk.None, [], hadIdiom
                    ? "Only a figure of speech about killing or dying was found, not a statement of risk."
                    : "No crisis, self-harm, abuse or emergency language was found.");
        }

        var level = findings.Max(finding => finding.Risk);
        var categories = findings
            .Where(finding => finding.Risk > CrisisRisk.Low)
            .Select(finding => finding.Category)
            .Distinct()
            .Take(MaxCategories)
            .ToList();
        var mentioned = findings.Select(finding => finding.Category).Distinct().ToList();
        return new CrisisScreenResult(level, categories, Rationale(level, mentioned, findings.All(finding => finding.Context == Reading.Negated)));
    }

    private static string Rationale(CrisisRisk level, IReadOnlyList<string> categories, bool allNegated)
    {
        var names = categories.Select(category => category.Replace('_', ' ')).ToList();
        var topics = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];
        var text = level switch
        {
            CrisisRisk.Crisis => $"The message contains direct, present-tense language about {topics}. It needs the crisis reply and support resources, not coaching.",
            CrisisRisk.Elevated => $"The message touches on {topics} without a direct present-tense statement. Check in gently and offer support resources.",
            _ when allNegated => $"Language about {topics} appears but is negated. No current risk is stated; a gentle check-in is reasonable.",
            _ => $"Language about {topics} appears only as past experience or in passing. Keep listening with care.",
        };
        return text.Length <= MaxRationale ? text : text[..(MaxRationale - 1)] + "\u2026";
    }

    /// <summary>
    /// How the words just before a match frame it. "not", "never", "não", "jamais" shortly before
    /// negate it, unless the words between turn it around ("can't stop thinking about", "no
    /// puedo dejar de"). A past marker ("used to", "years ago", "há dois anos") makes it past
    /// experience, unless the clause puts it in the present ("last night", "esta noche").
    /// </summary>
    private static Reading Context(string text, Match match)
    {
        var before = text[..match.Index];
        var clause = ClauseStart().Split(before)[^1];
        var tail = string.Join(' ', clause.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeLast(6));
        var after = ClauseStart().Split(text[(match.Index + match.Length)..])[0];
        var following = string.Join(' ', after.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(word => word is not ("and" or "e" or "y" or "et" or "but")).Take(3));

        if (PastContext().IsMatch(tail + " " + match.Value))
        {
            return Immediate().IsMatch(tail + " " + following) ? Reading.Present : Reading.Past;
        }

        return NegatedContext().IsMatch(" " + tail + " ") ? Reading.Negated : Reading.Present;
    }

    private enum Reading
    {
        Present,
        Negated,
        Past,
    }

    private sealed record CrisisPattern(string Category, CrisisRisk Risk, Regex Regex);

    private sealed record Finding(string Category, CrisisRisk Risk, Reading Context);

    [GeneratedRegex(@"[.!?;,:]| but | pero | mas ")]
    private static partial Regex ClauseStart();

    [GeneratedRegex(@"\b(used to|in the past|years? ago|months ago|last year|when i was (younger|a kid|a teenager|little|in school)|back then|at the time|survived|tried to|attempted|wanted to|once (wanted|tried|thought)|costumava|no passado|ha (\d+|muitos|alguns|uns|dois|tres) (anos|meses)|anos atras|ano passado|quando eu era (mais nov[oa]|crianca|adolescente|jovem)|antigamente|naquela epoca|sobrevivi|tentei|ja (quis|pensei)|quis|pensava em|solia|en el pasado|hace (\d+|muchos|unos|dos|tres) (anos|meses)|el ano pasado|cuando era (nino|nina|joven|adolescente|pequen[oa]|chic[oa])|en aquel entonces|sobrevivi|intente|quise|pensaba en|autrefois|dans le passe|il y a (\d+|des|quelques|deux|trois) (ans|mois)|l'annee derniere|quand j'etais (jeune|petit|petite|ado|adolescent\w*|enfant)|a l'epoque|j'ai survecu|j'ai essaye|j'ai tente|j'ai deja|je voulais|j'ai voulu|je pensais a)\b")]
    private static partial Regex PastContext();

    [GeneratedRegex(@"\b(tonight|today|right now|just now|this (morning|evening|week)|last night|yesterday|hoje|agora|esta noite|ontem|hoy|ahora|esta noche|anoche|ayer|ce soir|maintenant|aujourd'hui|cette nuit|hier)\b")]
    private static partial Regex Immediate();

    [GeneratedRegex(@"(\b(not|never|no(?! one)|no longer|don't|dont|won't|wouldn't|would not|will not|do not|am not|i'm not|isn't|nao|nunca|jamais|jamas|ne|pas|nem|ni)\b|\bn')(?!.*\b(stop|know|sure|help|care|miss|parar|deixar|dejar|arreter|arrete|sei|sabe|sais|sait)\b)")]
    private static partial Regex NegatedContext();

    [GeneratedRegex(@"\b(kill(ing)? for (a|an|some)\b|killing it|killed it|kill(ing)? time|(is|are|was|were|it's|that's) killing me|killing me softly|killing myself (to|at work|over|for|trying|working)|to die for|dying (to|for|of)|dead tired|dead on my feet|bored to death|scared to death|sick to death|died laughing|die laughing|(could|would|will|wanted to|want to) (just )?die of|die of (embarrassment|shame|laughter|boredom|curiosity)|nearly died (laughing|of)|killer (app|workout|idea|deal)|drop dead gorgeous|dressed to kill|kill two birds|if looks could kill|kill the (lights|engine|music)|over my dead body|my (phone|battery|laptop|car|plant|plants|tv) (died|is dead)|hurt myself (at|playing|running|lifting|while|during|in the|on the|skiing|working out)|matar (a|as) saudades?|matar (o|a) (tempo|fome|sede|curiosidade)|matar aula|morr(er|endo|i|o) de (vergonha|rir|riso|fome|sede|sono|tedio|calor|frio|saudades?|amor|inveja|medo|cansaco|vontade|curiosidade)|mort[oa]s? de (cansaco|fome|sono|sede|vontade|rir)|(esta|ta|estao|tao) me matando|me mat(a|ou) de rir|me mat(o|ando) de (trabalhar|estudar)|(chefe|mae|pai|professor|professora|treinador|treinadora|isso|esse \w+|essa \w+) vai me matar (se|quando)|quase (tive|me deu) um infarto|matar dois coelhos|matar el (tiempo|hambre|rato|gusanillo)|morir(me|se)? de (la )?(verguenza|risa|hambre|sed|sueno|aburrimiento|calor|frio|amor|envidia|ganas|miedo|cansancio|pena)|(me|te|se) muero de (la )?(verguenza|risa|hambre|sed|sueno|aburrimiento|calor|frio|amor|envidia|ganas|miedo|cansancio|pena)|muert[oa]s? de (risa|cansancio|hambre|sueno|miedo|frio|calor|verguenza|ganas)|me mato (trabajando|estudiando|a trabajar|a estudiar)|matarme (trabajando|estudiando|a trabajar|a estudiar)|matar dos pajaros|tuer le temps|(patron|patronne|chef|mere|pere|prof) va me tuer|(ca|ce (boulot|travail|projet|trafic|bouchon|stress|rythme|job|cours)|cette (semaine|reunion|chaleur|situation)|ces (reunions|examens|enfants|gosses|embouteillages)) (va|vont) me tuer|mort(e|s)? de (rire|fatigue|faim|peur|froid|chaud|honte|ennui)|mourir (de|d') ?(rire|faim|soif|chaud|froid|envie|honte|ennui|peur)|meurs (de|d') ?(rire|faim|soif|chaud|froid|envie|honte|ennui|peur)|hate d'en finir|en finir avec (ce|cette|ces|le|les|mon|mes|l'|la (?!vie))|tu me tues|ca me tue|crever (de|d') ?(faim|chaud|froid|envie)|faire d'une pierre deux coups)")]
    private static partial Regex Idioms();

    [GeneratedRegex(@"\b(kill(ing|ed)? myself|(?<!\d\s{0,2})kms|unaliv\w*|end(ing|ed)? (my|it) (own )?life|end(ing)? it all|end it tonight|take my (own )?life|taking my (own )?life|suicid\w*|sewer ?slide|self delet\w*|off myself|(want|wanted|wanna|ready) to die|wanna die|want to be dead|wish i (was|were) dead|better off dead|(don't|dont|do not|no longer) (want|wanna) to (live|be alive|exist|wake up|be here anymore|be here any more)|never wake up again|not wake up tomorrow|no reason to (live|go on)|not worth living|(everyone|everybody|they|the world|my family) would be better off without me|planning (my|to) (death|die)|hang myself|jump (off|from) (a|the) (bridge|roof|building)|(pills|tablets|meds|medication)\b[^.!?]{0,80}\b(take|swallow) (them|it) all|(take|swallow|taking) (all|every one of) (my|the|those|these) (pills|tablets|meds)|(saved|saving|stockpil\w*) (up )?(pills|tablets|meds)|(goodbye|suicide) (note|letter)s?|me matar|matar me|me mato|quero morrer|(nao|nunca mais) quero (mais )?(viver|estar viv[oa]|existir|acordar)|nao quero mais estar aqui|tirar a (minha )?(propria )?vida|acabar com (a )?minha vida|acabar com tudo|(por|dar) fim a (minha )?vida|(todos|todo mundo|eles|minha familia) (ficariam|ficaria|estariam|estaria|viveriam|viveria) melhor sem mim|(quis|queria) morrer|nao ha razao para viver|(tomar|engolir) todos (os )?(meus )?(comprimidos|remedios)|(comprimidos|remedios)\b[^.!?]{0,80}\btomar todos|(guardando|juntando|guardei|juntei) (comprimidos|remedios)|carta de despedida|matarme|me (voy a|quiero) matar|quitarme la vida|quiero morir(me)?|me quiero morir|(no|ya no) quiero (seguir )?(vivir|estar viv[oa]|existir|despertar(me)?)|acabar con (mi vida|todo)|terminar con mi vida|poner fin a mi vida|(estarian|estaria|estarian todos|todos estarian) mejor sin mi|ojala (estuviera|estar) muert[oa]|mejor muert[oa]|no hay razon para vivir|(tomar|tomarme|tragar(me)?) todas (las|mis) (pastillas|pildoras)|(pastillas|pildoras)\b[^.!?]{0,80}\b(tomarmelas|tomar) todas|(guardando|juntando|ahorrando|guarde|junte) (pastillas|pildoras)|me tuer|me suicider|en finir(?! avec)|en finir avec (la vie|tout|ma vie)|mettre fin a (mes jours|ma vie)|je veux mourir|envie de mourir|(je ne veux plus|je veux plus|je n'ai plus envie de|j'ai plus envie de) (vivre|exister|me reveiller)|ne veux (plus|pas) me reveiller|ne (plus|pas) me reveiller|me foutre en l'air|(tout le monde|ils|ma famille) (serait|seraient) mieux sans moi|aucune raison de vivre|(prendre|avaler) tous (mes|les) (medicaments|cachets|comprimes|pilules)|(medicaments|cachets|comprimes|pilules)\b[^.!?]{0,80}\b(les prendre|prendre) tous|(garde|gardes|stocke|stockes|accumule) des (medicaments|cachets|comprimes|pilules)|lettre d'adieu)\b")]
    private static partial Regex SuicideCrisis();

    [GeneratedRegex(@"\b(what's the point of living|no point (in )?living|can't go on|cannot go on|can't do this anymore|don't see a way out|no way out|wish i could disappear|want to disappear|wish i wasn't here|wish i had never been born|nobody would (miss|care)|no one would (miss|care)|queria desaparecer|quero sumir|sumir para sempre|ninguem (sentiria|vai sentir) (a )?minha falta|nao vejo saida|que sentido tem viver|queria nao ter nascido|quiero desaparecer|ojala no hubiera nacido|nadie me (echaria de menos|extranaria)|no veo (ninguna )?salida|que sentido tiene vivir|envie de disparaitre|disparaitre pour toujours|personne ne (me regretterait|remarquerait)|je ne vois pas d'issue|a quoi bon vivre|j'aurais prefere ne pas naitre)\b")]
    private static partial Regex SuicidePassive();

    [GeneratedRegex(@"\b(hurt(ing)? myself|harm(ing)? myself|cut(ting)? myself|cut my (wrists|arms|legs)|cutting again|burn(ing)? myself|starv(e|ing) myself|self harm(ing)?|punish(ing)? myself physically|overdos(e|ing) on purpose|me cortar|me cortando|me corto|me machucar|me machucando|me ferir|me ferindo|me queimar|automutila\w*|autolesa\w*|cortar (os )?(meus )?pulsos|hacerme dano|cortarme(?! el (pelo|cabello|flequillo)| las unas)|me corto (los brazos|las munecas|otra vez|de nuevo)|me estoy cortando|lastimarme|autolesion\w*|quemarme|cortarme las venas|me faire du mal|me blesser (expres|volontairement|encore)|envie de me blesser|me scarifier|scarifi\w*|me mutiler|automutilation|me couper les (veines|poignets|bras)|me bruler)\b")]
    private static partial Regex SelfHarmCrisis();

    private const string People = "husband|wife|partner|boyfriend|girlfriend|boss|brother|sister|dad|father|mom|mum|mother|son|daughter|kids?|child|children|baby|neighbou?r|ex|coworker|co-worker|colleague|roommate|friend|teacher|manager";

    [GeneratedRegex(@"\b((want to|going to|gonna|plan(ning)? to|will|i'll|about to|ready to)\s+(kill|murder|stab|shoot|strangle|hurt|attack|beat up|unalive)\s+(him|her|them|you|someone|somebody|everyone|people|that (guy|man|woman|person)|my (" + People + @"))|(vou|quero|estou pensando em|penso em) (matar|esfaquear|machucar|agredir) (ele|ela|eles|elas|alguem|todo mundo|o meu \w+|a minha \w+|meu \w+|minha \w+|o \w+|a \w+)|(vou|quero) (mata lo|mata la|mata los)|(voy a|quiero|tengo ganas de|pienso) (matar|apunalar|golpear|hacerle dano) (a )?(el|ella|ellos|alguien|todos|mi \w+|ese \w+|esa \w+)|(voy a|quiero) (matarlo|matarla|matarlos)|(je vais|je veux|j'ai envie de|je pense a) (le|la|les) (tuer|poignarder)|(je vais|je veux|j'ai envie de) tuer (mon|ma|mes|ce|cette|quelqu'un|tout le monde)\b)\b")]
    private static partial Regex HarmOthersIntent();

    [GeneratedRegex(@"\b((could|might|feel like i could|thoughts? of|thinking (about|of))\s+(kill(ing)?|hurt(ing)?|attack(ing)?)\s+(him|her|them|someone|somebody|people|my (" + People + @"))|tenho vontade de (bater|machucar)|me dan ganas de (pegarle|golpear)|j'ai envie de (le|la) frapper)\b")]
    private static partial Regex HarmOthersVague();

    [GeneratedRegex(@"\b((he|she|they) (threatened|is going|are going|said (he|she|they) would) to kill me|(he's|she's|they're|he is|she is|they are) (going|gonna) (to )?kill me|my (husband|wife|partner|boyfriend|girlfriend|ex) (is|'s) (going|gonna) (to )?kill me|not safe at home right now|(he|she|they) (has|have) a (gun|knife)|locked me in|afraid for my life|(ameacou|ameaca|disse que (vai|ia)) (me )?matar|(ele|ela|eles) (vai|vao) me matar|(meu|minha) (marido|mulher|namorad[oa]|companheir[oa]|ex) vai me matar|nao estou segur[oa] em casa|(ele|ela) tem uma (arma|faca)|me trancou|(amenazo|amenaza|dijo que iba a) (con )?matarme|(el|ella|ellos) me (va|van) a matar|mi (marido|esposo|esposa|mujer|pareja|novi[oa]|ex) me va a matar|no estoy (a salvo|segur[oa]) en (mi )?casa|(el|ella) tiene un (arma|cuchillo)|me encerro|(il|elle) (m'a menace|menace|a menace) de (me tuer|mort)|(il|elle|ils) (va|vont) me tuer|mon (mari|conjoint|copain|compagnon|ex) va me tuer|ma (femme|copine|compagne) va me tuer|je ne suis pas en securite (chez moi|a la maison)|(il|elle) a (une arme|un couteau)|m'a enferme\w*)\b")]
    private static partial Regex AbuseDanger();

    [GeneratedRegex(@"\b((he|she|they|my \w+) (hits|hit|beats|beat|chokes|choked|kicks|kicked|slaps|slapped|pushes|shoves|abuses|abused|rapes|raped|molests|molested|forces|forced) me|abusive|abusing me|not safe at home|afraid of my (husband|wife|partner|boyfriend|girlfriend|dad|father|mom|mother)|threatens me|threatened me|(ele|ela|meu \w+|minha \w+) me (bate|bateu|agride|agrediu|empurra|empurrou|estuprou|abusa|abusou|ameaca|ameacou|forca|forcou)|abusiv[oa]|tenho medo (do meu|da minha) (marido|mulher|namorad[oa]|companheir[oa]|pai|mae|esposa|esposo)|(el|ella|mi \w+) me (pega|pego|golpea|golpeo|empuja|empujo|abusa|abuso|viola|violo|amenaza|amenazo|obliga|obligo)|maltrat\w*|tengo miedo de mi (marido|esposo|esposa|pareja|novi[oa]|padre|madre)|(il|elle|mon \w+|ma \w+) me (frappe|bat|a frappe|a battu|pousse|viole|a viole|menace|a menace|force|a force|maltraite)|violent avec moi|j'ai peur de mon (mari|conjoint|copain|pere|compagnon)|j'ai peur de ma (femme|copine|mere|compagne))\b")]
    private static partial Regex AbuseOngoing();

    [GeneratedRegex(@"\b(chest pain|heart attack|having a stroke|seizure|overdosed|took too many (pills|tablets)|took all (my|the) (pills|tablets)|bleeding (heavily|a lot|badly)|passed out|unconscious|can't feel my (arm|face|legs)|anaphyla\w*|dor no peito|ataque cardiaco|infarto|(estou tendo|tendo) um avc|convulsao|convulsionando|tomei (comprimidos|remedios) demais|tomei muitos (comprimidos|remedios)|tomei todos os (comprimidos|remedios)|overdose|sangrando muito|desmaiou|inconsciente|nao sinto (o meu |meu )?(braco|rosto|perna)|dolor (en el|de) pecho|ataque al corazon|(estoy teniendo|tengo) un (ictus|derrame)|convulsion\w*|tome demasiadas (pastillas|pildoras)|me tome todas las (pastillas|pildoras)|sobredosis|sangrando mucho|se desmayo|douleur (a la|dans la) poitrine|douleur thoracique|crise cardiaque|infarctus|(je fais|il fait|elle fait) un avc|j'ai pris trop de (medicaments|cachets|comprimes|pilules)|j'ai pris tous (mes|les) (medicaments|cachets|comprimes|pilules)|surdose|je saigne beaucoup|inconscient\w*)\b")]
    private static partial Regex MedicalCrisis();

    [GeneratedRegex(@"\b(can't breathe|cannot breathe|fainted|blacked out|severe pain|nao consigo respirar|desmaiei|no puedo respirar|me desmaye|je n'arrive pas a respirer|je ne peux pas respirer|je me suis evanoui\w*)\b")]
    private static partial Regex MedicalWorrying();

    [GeneratedRegex(@"\b(worthless|hopeless|empty inside|numb|exhausted|can't take (it|this)|falling apart|giving up|give up on everything|so alone|miserable|sem esperanca|vazi[oa] por dentro|nao aguento mais|exaust[oa]|desesperad[oa]|sin esperanza|vaci[oa] por dentro|ya no puedo mas|agotad[oa]|sans espoir|vide a l'interieur|je n'en peux plus|epuise\w*|desespere\w*)\b")]
    private static partial Regex LowMood();
}
