namespace CoachService.Llm.Offline;

/// <summary>
/// The lines every persona shares in one language. English reflects the user's words turned to
/// "you" ("you're worried about your job"); Portuguese, Spanish and French quote them as written,
/// because turning them to the second person needs verb forms these rules do not have. Placeholders:
/// "{words}" (the user's words), "{emotion}", "{goal}", "{insight}", "{asked}" (English indirect
/// question), "{advice}" (a persona line), "{question}" (the coach's previous question).
/// </summary>
internal sealed record ReplyPhrases(
    string Language,
    IReadOnlyList<string> Reflections,
    IReadOnlyList<string> Statements,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Earlier,
    IReadOnlyList<string> HardFeelings,
    IReadOnlyList<string> GoodFeelings,
    IReadOnlyList<string> NoFeeling,
    IReadOnlyList<string> GoalNods,
    IReadOnlyList<string> InsightNods,
    IReadOnlyList<string> Asked,
    IReadOnlyList<string> QuestionAcks,
    IReadOnlyList<string> AdviceLeads,
    IReadOnlyList<string> Repeats,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Steadiness,
    IReadOnlyList<string> Energy,
    IReadOnlyList<IReadOnlyList<string>> Enneagram,
    IReadOnlyList<IReadOnlyList<string>> DiscQuestions,
    IReadOnlyList<string> Questions,
    IReadOnlyDictionary<string, string> Emotions,
    IReadOnlyList<string> Crisis)
{
    public static IReadOnlyList<string> Supported { get; } = ["en", "pt", "es", "fr"];

    /// <summary>The phrases of a supported language; English for anything else.</summary>
    public static ReplyPhrases For(string? language) => language?.Trim().ToLowerInvariant() switch
    {
        "pt" => Portuguese,
        "es" => Spanish,
        "fr" => French,
        _ => English,
    };

    public string Emotion(string name) => Emotions.TryGetValue(name, out var word) ? word : name;

    private static readonly ReplyPhrases English = new(
        "en",
        Reflections: ["It sounds like {words}.", "So {words}.", "What I'm hearing is that {words}.", "If I've got it right, {words}."],
        Statements: ["You mentioned that {words}.", "You said that {words}.", "You're telling me that {words}."],
        Topics: ["You brought up {words}.", "You mentioned {words}.", "Let's stay with {words} for a moment."],
        Earlier: ["Earlier you said {words}.", "That links back to something you said before: {words}.", "I remember you said {words}.", "A little while ago you told me {words}."],
        HardFeelings:
        [
            "Feeling {emotion} like that makes total sense.",
            "Of course you're {emotion}, that's a lot to carry.",
            "Being {emotion} is a signal worth listening to.",
            "It's okay to feel {emotion} about this.",
            "Anyone in your place could feel {emotion}.",
        ],
        GoodFeelings:
        [
            "I love that you're feeling {emotion}.",
            "Feeling {emotion} is worth noticing.",
            "That {emotion} feeling is something to build on.",
            "It's good to hear you sound {emotion}.",
        ],
        NoFeeling: ["I'm right here with you.", "I'm listening.", "Let's take a closer look."],
        GoalNods:
        [
            "This ties in with your goal: {goal}.",
            "It connects to your goal: {goal}.",
            "Keep your goal in view here: {goal}.",
            "Your goal, {goal}, is part of this picture.",
        ],
        InsightNods: ["It echoes something you noticed before: {insight}.", "You once noticed this: {insight}."],
        Asked: ["You're asking {asked}.", "You want to know {asked}.", "So the question is {asked}."],
        QuestionAcks:
        [
            "That's a fair question, and it deserves a real answer.",
            "Good question, and you may know more of the answer than you think.",
            "That's worth asking, and we can work it out together.",
            "I'm glad you asked that out loud.",
        ],
        AdviceLeads: ["Here's one idea: {advice}", "One thing that often helps: {advice}", "If it helps, start here: {advice}"],
        Repeats: ["Of course, I asked: {question}", "Sure, here it is again: {question}"],
        Reasons:
        [
            "Small, specific steps work better than big plans, because they're easy to start and easy to check.",
            "Writing the step down helps, because a clear plan is easier to keep than a vague intention.",
            "It's worth naming one measure, because you can only adjust what you can see.",
            "Looking at the facts first helps, because it separates what you can change from what you can't.",
        ],
        Steadiness:
        [
            "There's no need to change everything at once.",
            "Going at a steady pace is a strength here.",
            "You can take this one step at a time, at your own pace.",
            "Nothing has to be decided today.",
        ],
        Energy:
        [
            "I really like how open you're being about this.",
            "You've got more going for you here than you think.",
            "Talking it through like this already moves things forward.",
            "I can hear the energy in how you put that.",
        ],
        Enneagram:
        [
            ["Progress counts even when it isn't perfect.", "Good enough, done with care, is often better than perfect."],
            ["You give a lot to others, and your own needs count too.", "Looking after yourself is part of looking after the people you love."],
            ["You're more than what you get done.", "Your worth doesn't rise and fall with results."],
            ["What you feel matters, and it's worth putting into words.", "Your way of seeing things is part of what makes you who you are."],
            ["Understanding it is a good start, and one small experiment can teach you even more.", "You don't need every answer before you take a step."],
            ["You don't have to cover every risk to be safe enough to try.", "You've come through uncertain moments before."],
            ["It's okay to stay with this for a moment instead of rushing to the next thing.", "Slowing down can make room for the good things too."],
            ["Being strong can also mean letting someone in.", "You don't have to carry it alone to stay in control."],
            ["Your view matters here, even if it stirs things up a little.", "Your own priorities deserve a place on the list too."],
        ],
        DiscQuestions:
        [
            ["What result do you want by the end of the week?", "What's the fastest way to move this forward?", "Which decision would unblock everything else?"],
            ["Who could cheer you on with this?", "What would make this feel fun again?", "Who would you love to share the good news with?"],
            ["What would help you feel steady this week?", "What small routine could support you here?", "What would make tomorrow a little calmer?"],
            ["What information would help you decide?", "What would a good outcome look like, exactly?", "Which part of the plan feels least clear?"],
        ],
        Questions:
        [
            "What would you like to happen next?",
            "What feels most important to you right now?",
            "What's one thing you could try before we talk again?",
            "What would make the biggest difference this week?",
        ],
        Emotions: new Dictionary<string, string>(),
        Crisis:
        [
            "{name}, I'm really glad you told me.",
            "What you're describing sounds serious, and you deserve support right now.",
            "Please call your local emergency number, or a crisis line such as 988 in the US or 116 123 in the UK and Ireland.",
            "Are you safe right now?",
        ]);

    private static readonly ReplyPhrases Portuguese = new(
        "pt",
        Reflections: ["Você disse: \"{words}\".", "Ouvi você dizer: \"{words}\".", "Você me contou: \"{words}\".", "Fico com isto que você disse: \"{words}\"."],
        Statements: ["Você disse: \"{words}\".", "Ouvi você dizer: \"{words}\".", "Você me contou: \"{words}\"."],
        Topics: ["Você falou de \"{words}\".", "Você trouxe \"{words}\".", "Vamos ficar um pouco com \"{words}\"."],
        Earlier: ["Antes você tinha dito: \"{words}\".", "Isso lembra algo que você disse antes: \"{words}\".", "Lembro que você falou: \"{words}\".", "Há pouco você me contou: \"{words}\"."],
        HardFeelings:
        [
            "Faz todo o sentido sentir {emotion} com tudo isso.",
            "Sentir {emotion} assim é muito humano.",
            "Essa {emotion} é um sinal que vale a pena ouvir.",
            "Tudo bem sentir {emotion} com isso.",
            "Qualquer pessoa no seu lugar poderia sentir {emotion}.",
        ],
        GoodFeelings:
        [
            "Que bom sentir {emotion} assim.",
            "Vale a pena notar essa {emotion}.",
            "Essa {emotion} é algo para construir em cima.",
            "Dá para sentir a {emotion} no que você diz.",
        ],
        NoFeeling: ["Estou do seu lado.", "Estou ouvindo.", "Vamos ver isso com calma."],
        GoalNods:
        [
            "Isso tem a ver com a sua meta: {goal}.",
            "Isso se liga à sua meta: {goal}.",
            "Vale manter a sua meta em vista: {goal}.",
            "A sua meta, {goal}, faz parte disso.",
        ],
        InsightNods: ["Isso lembra algo que você percebeu antes: {insight}.", "Você já tinha notado isto: {insight}."],
        Asked: [],
        QuestionAcks:
        [
            "É uma pergunta justa e merece uma resposta de verdade.",
            "Boa pergunta, e talvez você saiba mais da resposta do que imagina.",
            "Vale a pena perguntar isso, e podemos pensar juntos.",
            "Que bom que você perguntou isso em voz alta.",
        ],
        AdviceLeads: ["Uma ideia: {advice}", "Uma coisa que costuma ajudar: {advice}", "Se ajudar, comece por aqui: {advice}"],
        Repeats: ["Claro, eu perguntei: {question}", "Claro, repito: {question}"],
        Reasons:
        [
            "Passos pequenos e concretos funcionam melhor que grandes planos, porque são fáceis de começar e de conferir.",
            "Anotar o passo ajuda, porque um plano claro é mais fácil de cumprir que uma intenção vaga.",
            "Vale escolher uma medida, porque só dá para ajustar o que se consegue ver.",
            "Olhar primeiro para os fatos ajuda, porque separa o que você pode mudar do que não pode.",
        ],
        Steadiness:
        [
            "Não precisa mudar tudo de uma vez.",
            "Ir num ritmo constante é uma força aqui.",
            "Dá para ir um passo de cada vez, no seu ritmo.",
            "Nada precisa ser decidido hoje.",
        ],
        Energy:
        [
            "Gosto muito da sua franqueza sobre isso.",
            "Você tem mais a seu favor aqui do que imagina.",
            "Conversar assim já faz as coisas andarem.",
            "Dá para ouvir a energia no jeito como você fala.",
        ],
        Enneagram:
        [
            ["O progresso conta mesmo quando não é perfeito.", "Bom o bastante, feito com cuidado, muitas vezes é melhor que perfeito."],
            ["Você dá muito aos outros, e as suas necessidades também contam.", "Cuidar de você também é cuidar das pessoas que você ama."],
            ["Você é mais do que aquilo que entrega.", "O seu valor não sobe e desce com os resultados."],
            ["O que você sente importa e vale a pena pôr em palavras.", "O seu jeito de ver as coisas faz parte de quem você é."],
            ["Entender já é um bom começo, e um pequeno teste pode ensinar ainda mais.", "Você não precisa de todas as respostas para dar um passo."],
            ["Você não precisa cobrir todos os riscos para poder tentar.", "Você já passou por momentos incertos antes."],
            ["Tudo bem ficar um pouco com isso em vez de correr para a próxima coisa.", "Desacelerar também abre espaço para as coisas boas."],
            ["Ser forte também pode ser deixar alguém se aproximar.", "Você não precisa carregar tudo sem ajuda para manter o controle."],
            ["A sua opinião importa aqui, mesmo que mexa um pouco com as coisas.", "As suas prioridades também merecem um lugar na lista."],
        ],
        DiscQuestions:
        [
            ["Que resultado você quer até o fim da semana?", "Qual é o jeito mais rápido de fazer isso andar?", "Que decisão destravaria todo o resto?"],
            ["Quem poderia torcer por você nisso?", "O que faria isso voltar a ser divertido?", "Com quem você adoraria dividir a boa notícia?"],
            ["O que ajudaria você a se sentir mais estável nesta semana?", "Que pequena rotina poderia apoiar você nisso?", "O que deixaria o dia de amanhã um pouco mais tranquilo?"],
            ["Que informação ajudaria você a decidir?", "Como seria exatamente um bom resultado?", "Que parte do plano parece menos clara?"],
        ],
        Questions:
        [
            "O que você gostaria que acontecesse agora?",
            "O que parece mais importante para você neste momento?",
            "O que você poderia experimentar antes da nossa próxima conversa?",
            "O que faria mais diferença nesta semana?",
        ],
        Emotions: new Dictionary<string, string>
        {
            ["anxious"] = "ansiedade", ["stressed"] = "tensão", ["overwhelmed"] = "sobrecarga", ["sad"] = "tristeza", ["lonely"] = "solidão",
            ["angry"] = "raiva", ["frustrated"] = "frustração", ["afraid"] = "insegurança", ["ashamed"] = "vergonha", ["tired"] = "exaustão",
            ["confused"] = "confusão", ["happy"] = "alegria", ["excited"] = "empolgação", ["grateful"] = "gratidão", ["hopeful"] = "esperança",
            ["proud"] = "satisfação", ["calm"] = "calma", ["loved"] = "ternura",
        },
        Crisis:
        [
            "{name}, que bom que você me contou.",
            "O que você está descrevendo parece sério, e você merece apoio agora mesmo.",
            "Por favor, ligue para o número de emergência local ou para uma linha de apoio, como o 188 do CVV no Brasil ou o SNS 24 em Portugal, 808 24 24 24.",
            "Você está em segurança agora?",
        ]);

    private static readonly ReplyPhrases Spanish = new(
        "es",
        Reflections: ["Dijiste: \"{words}\".", "Te oí decir: \"{words}\".", "Me contaste: \"{words}\".", "Me quedo con esto que dijiste: \"{words}\"."],
        Statements: ["Dijiste: \"{words}\".", "Te oí decir: \"{words}\".", "Me contaste: \"{words}\"."],
        Topics: ["Hablaste de \"{words}\".", "Mencionaste \"{words}\".", "Quedémonos un momento con \"{words}\"."],
        Earlier: ["Antes me dijiste: \"{words}\".", "Esto conecta con algo que dijiste antes: \"{words}\".", "Recuerdo que dijiste: \"{words}\".", "Hace un rato me contaste: \"{words}\"."],
        HardFeelings:
        [
            "Tiene todo el sentido sentir {emotion} con todo esto.",
            "Sentir {emotion} así es muy humano.",
            "Esa {emotion} es una señal que vale la pena escuchar.",
            "Está bien sentir {emotion} por esto.",
            "Cualquier persona en tu lugar podría sentir {emotion}.",
        ],
        GoodFeelings:
        [
            "Qué bien sentir {emotion} así.",
            "Vale la pena notar esa {emotion}.",
            "Esa {emotion} es algo sobre lo que construir.",
            "Se nota la {emotion} en lo que dices.",
        ],
        NoFeeling: ["Cuenta conmigo.", "Te escucho.", "Vamos a verlo con calma."],
        GoalNods:
        [
            "Esto tiene que ver con tu meta: {goal}.",
            "Esto se conecta con tu meta: {goal}.",
            "Conviene tener tu meta a la vista: {goal}.",
            "Tu meta, {goal}, forma parte de esto.",
        ],
        InsightNods: ["Esto recuerda algo que notaste antes: {insight}.", "Ya te habías dado cuenta de esto: {insight}."],
        Asked: [],
        QuestionAcks:
        [
            "Es una pregunta justa y merece una respuesta de verdad.",
            "Buena pregunta, y quizá sepas más de la respuesta de lo que crees.",
            "Vale la pena preguntarlo, y podemos pensarlo juntos.",
            "Me alegra que lo preguntes en voz alta.",
        ],
        AdviceLeads: ["Una idea: {advice}", "Algo que suele ayudar: {advice}", "Si te sirve, empieza por aquí: {advice}"],
        Repeats: ["Claro, te pregunté: {question}", "Claro, te lo repito: {question}"],
        Reasons:
        [
            "Los pasos pequeños y concretos funcionan mejor que los grandes planes, porque son fáciles de empezar y de comprobar.",
            "Escribir el paso ayuda, porque un plan claro se cumple mejor que una intención vaga.",
            "Conviene elegir una medida, porque solo se puede ajustar lo que se ve.",
            "Mirar primero los hechos ayuda, porque separa lo que puedes cambiar de lo que no.",
        ],
        Steadiness:
        [
            "No hace falta cambiarlo todo de una vez.",
            "Ir a un ritmo constante es una fortaleza aquí.",
            "Puedes ir paso a paso, a tu ritmo.",
            "No hay que decidir nada hoy.",
        ],
        Energy:
        [
            "Me gusta mucho lo abiertamente que hablas de esto.",
            "Tienes más a tu favor de lo que crees.",
            "Hablarlo así ya hace que las cosas avancen.",
            "Se nota la energía en cómo lo cuentas.",
        ],
        Enneagram:
        [
            ["El progreso cuenta aunque no sea perfecto.", "Lo bastante bueno, hecho con cuidado, a menudo es mejor que lo perfecto."],
            ["Das mucho a los demás, y tus necesidades también cuentan.", "Cuidarte también es cuidar a las personas que quieres."],
            ["Eres mucho más que lo que consigues.", "Tu valor no sube y baja con los resultados."],
            ["Lo que sientes importa y vale la pena ponerlo en palabras.", "Tu manera de ver las cosas es parte de quien eres."],
            ["Entenderlo es un buen comienzo, y un pequeño experimento puede enseñarte aún más.", "No necesitas todas las respuestas para dar un paso."],
            ["No tienes que cubrir todos los riesgos para poder intentarlo.", "Ya has superado momentos de incertidumbre antes."],
            ["Está bien quedarse un momento con esto en vez de correr hacia lo siguiente.", "Ir más despacio también deja sitio a lo bueno."],
            ["Ser fuerte también puede ser dejar que alguien se acerque.", "No tienes que cargarlo todo a solas para mantener el control."],
            ["Tu opinión importa aquí, aunque remueva un poco las cosas.", "Tus propias prioridades también merecen un lugar en la lista."],
        ],
        DiscQuestions:
        [
            ["¿Qué resultado quieres para el final de la semana?", "¿Cuál es la forma más rápida de avanzar con esto?", "¿Qué decisión desbloquearía todo lo demás?"],
            ["¿Quién podría animarte con esto?", "¿Qué haría que esto volviera a ser divertido?", "¿Con quién te encantaría compartir la buena noticia?"],
            ["¿Qué te ayudaría a sentir más estabilidad esta semana?", "¿Qué pequeña rutina podría apoyarte en esto?", "¿Qué haría que mañana fuera un poco más tranquilo?"],
            ["¿Qué información te ayudaría a decidir?", "¿Cómo sería exactamente un buen resultado?", "¿Qué parte del plan te parece menos clara?"],
        ],
        Questions:
        [
            "¿Qué te gustaría que pasara ahora?",
            "¿Qué te parece más importante en este momento?",
            "¿Qué podrías probar antes de que volvamos a hablar?",
            "¿Qué marcaría la mayor diferencia esta semana?",
        ],
        Emotions: new Dictionary<string, string>
        {
            ["anxious"] = "ansiedad", ["stressed"] = "tensión", ["overwhelmed"] = "sobrecarga", ["sad"] = "tristeza", ["lonely"] = "soledad",
            ["angry"] = "rabia", ["frustrated"] = "frustración", ["afraid"] = "inseguridad", ["ashamed"] = "vergüenza", ["tired"] = "fatiga",
            ["confused"] = "confusión", ["happy"] = "alegría", ["excited"] = "ilusión", ["grateful"] = "gratitud", ["hopeful"] = "esperanza",
            ["proud"] = "satisfacción", ["calm"] = "calma", ["loved"] = "ternura",
        },
        Crisis:
        [
            "{name}, me alegra mucho que me lo hayas contado.",
            "Lo que describes suena serio, y mereces apoyo ahora mismo.",
            "Por favor, llama al número de emergencias local o a una línea de ayuda, como el 024 en España.",
            "¿Estás a salvo ahora mismo?",
        ]);

    private static readonly ReplyPhrases French = new(
        "fr",
        Reflections: ["Tu as dit : \"{words}\".", "Tu l'as dit toi-même : \"{words}\".", "Tu m'as confié : \"{words}\".", "Je retiens ce que tu as dit : \"{words}\"."],
        Statements: ["Tu as dit : \"{words}\".", "Tu l'as dit toi-même : \"{words}\".", "Tu m'as confié : \"{words}\"."],
        Topics: ["Tu as parlé de \"{words}\".", "Tu as évoqué \"{words}\".", "Restons un instant avec \"{words}\"."],
        Earlier: ["Tout à l'heure, tu m'as dit : \"{words}\".", "Cela rejoint quelque chose que tu as dit avant : \"{words}\".", "Je me souviens que tu as dit : \"{words}\".", "Il y a un moment, tu m'as raconté : \"{words}\"."],
        HardFeelings:
        [
            "C'est tout à fait compréhensible de ressentir {emotion} avec tout ça.",
            "Ressentir {emotion} comme ça, c'est très humain.",
            "Ressentir {emotion} est un signal qui mérite d'être écouté.",
            "C'est normal de ressentir {emotion} face à ça.",
            "N'importe qui à ta place pourrait ressentir {emotion}.",
        ],
        GoodFeelings:
        [
            "Ça fait plaisir d'entendre {emotion} dans ta voix.",
            "Ressentir {emotion}, ça mérite d'être remarqué.",
            "Il y a {emotion} dans ta voix, et on peut s'appuyer dessus.",
            "On sent {emotion} dans ce que tu dis.",
        ],
        NoFeeling: ["Je reste avec toi.", "Je t'écoute.", "Prenons le temps de regarder ça."],
        GoalNods:
        [
            "Cela rejoint ton objectif : {goal}.",
            "C'est lié à ton objectif : {goal}.",
            "Garde ton objectif en vue : {goal}.",
            "Ton objectif, {goal}, fait partie de tout ça.",
        ],
        InsightNods: ["Cela rappelle quelque chose que tu avais remarqué : {insight}.", "Tu l'avais déjà remarqué : {insight}."],
        Asked: [],
        QuestionAcks:
        [
            "C'est une vraie question, et elle mérite une vraie réponse.",
            "Bonne question, et tu connais peut-être une partie de la réponse.",
            "Ça vaut la peine de se la poser, et on peut y réfléchir ensemble.",
            "Merci de poser cette question à voix haute.",
        ],
        AdviceLeads: ["Une idée : {advice}", "Une chose qui aide souvent : {advice}", "Si ça peut aider, commence par là : {advice}"],
        Repeats: ["Bien sûr, je t'ai demandé : {question}", "Bien sûr, je répète : {question}"],
        Reasons:
        [
            "Les petites étapes concrètes marchent mieux que les grands plans, parce qu'elles sont faciles à lancer et à vérifier.",
            "Écrire l'étape aide, parce qu'un plan clair se tient mieux qu'une vague intention.",
            "Ça vaut la peine de choisir une mesure, parce qu'on ne peut ajuster que ce qu'on voit.",
            "Regarder d'abord les faits aide, parce que ça sépare ce que tu peux changer de ce que tu ne peux pas changer.",
        ],
        Steadiness:
        [
            "Pas besoin de tout changer d'un coup.",
            "Avancer à un rythme régulier est une force ici.",
            "Tu peux y aller étape par étape, à ton rythme.",
            "Rien ne doit être décidé aujourd'hui.",
        ],
        Energy:
        [
            "J'aime beaucoup la franchise avec laquelle tu en parles.",
            "Tu as plus d'atouts ici que tu ne le penses.",
            "En parler comme ça fait déjà avancer les choses.",
            "On entend l'énergie dans ta façon de le dire.",
        ],
        Enneagram:
        [
            ["Le progrès compte même quand il n'est pas parfait.", "Assez bien, fait avec soin, vaut souvent mieux que parfait."],
            ["Tu donnes beaucoup aux autres, et tes propres besoins comptent aussi.", "Prendre soin de toi, c'est aussi prendre soin des gens que tu aimes."],
            ["Tu vaux bien plus que ce que tu accomplis.", "Ta valeur ne monte pas et ne descend pas avec les résultats."],
            ["Ce que tu ressens compte, et ça vaut la peine de le mettre en mots.", "Ta façon de voir les choses fait partie de qui tu es."],
            ["Comprendre est un bon début, et une petite expérience peut t'en apprendre encore plus.", "Tu n'as pas besoin de toutes les réponses pour faire un pas."],
            ["Tu n'as pas besoin de couvrir tous les risques pour essayer.", "Tu as déjà traversé des moments incertains."],
            ["C'est bien de rester un moment avec ça au lieu de filer vers la suite.", "Ralentir laisse aussi de la place aux bonnes choses."],
            ["La force, c'est aussi laisser quelqu'un s'approcher.", "Tu n'as pas à tout porter sans aide pour garder le contrôle."],
            ["Ton avis compte ici, même s'il bouscule un peu les choses.", "Tes propres priorités méritent aussi une place sur la liste."],
        ],
        DiscQuestions:
        [
            ["Quel résultat veux-tu d'ici la fin de la semaine ?", "Quel est le moyen le plus rapide de faire avancer ça ?", "Quelle décision débloquerait tout le reste ?"],
            ["Qui pourrait t'encourager là-dessus ?", "Qu'est-ce qui rendrait ça de nouveau amusant ?", "Avec qui aimerais-tu partager la bonne nouvelle ?"],
            ["Qu'est-ce qui t'aiderait à te sentir plus stable cette semaine ?", "Quelle petite routine pourrait t'aider ici ?", "Qu'est-ce qui rendrait demain un peu plus calme ?"],
            ["Quelle information t'aiderait à décider ?", "À quoi ressemblerait précisément un bon résultat ?", "Quelle partie du plan te semble la moins claire ?"],
        ],
        Questions:
        [
            "Qu'aimerais-tu qu'il se passe maintenant ?",
            "Qu'est-ce qui te semble le plus important en ce moment ?",
            "Qu'est-ce que tu pourrais essayer avant notre prochaine conversation ?",
            "Qu'est-ce qui ferait la plus grande différence cette semaine ?",
        ],
        Emotions: new Dictionary<string, string>
        {
            ["anxious"] = "de l'anxiété", ["stressed"] = "du stress", ["overwhelmed"] = "de la saturation", ["sad"] = "de la tristesse", ["lonely"] = "de la solitude",
            ["angry"] = "de la colère", ["frustrated"] = "de la frustration", ["afraid"] = "de la peur", ["ashamed"] = "de la honte", ["tired"] = "de la fatigue",
            ["confused"] = "de la confusion", ["happy"] = "de la joie", ["excited"] = "de l'enthousiasme", ["grateful"] = "de la gratitude", ["hopeful"] = "de l'espoir",
            ["proud"] = "de la fierté", ["calm"] = "du calme", ["loved"] = "de la tendresse",
        },
        Crisis:
        [
            "{name}, merci de me l'avoir dit.",
            "Ce que tu décris semble grave, et tu mérites du soutien tout de suite.",
            "Appelle s'il te plaît le numéro d'urgence local ou une ligne d'écoute, comme le 3114 en France.",
            "Es-tu en sécurité en ce moment ?",
        ]);
}
