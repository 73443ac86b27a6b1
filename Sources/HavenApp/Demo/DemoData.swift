import Foundation
import HavenCore
import HavenStorage
import Logging

/// Seeds an empty database with a believable desk: teams, queues, agents with roles and languages,
/// contacts of each kind, and about fifty tickets in English, Brazilian Portuguese, Arabic and French.
/// Tickets go through the real intake pipeline and API operations, so the event logs are real too.
public enum DemoData {
    public static let adminEmail = "admin@haven.demo"
    public static let password = "haven-demo-2026"

    struct Sample {
        var language: String
        var market: String
        var channel: Channel
        var queue: String
        var subject: String
        var body: String
    }

    static let samples: [Sample] = [
        Sample(language: "pt-BR", market: "BR", channel: .inApp, queue: "br-account-access", subject: "Não consigo entrar na minha conta",
               body: "Oi! Troquei de celular e agora o código de verificação não chega por SMS. Já tentei várias vezes. Podem me ajudar?"),
        Sample(language: "pt-BR", market: "BR", channel: .email, queue: "br-account-access", subject: "Conta hackeada",
               body: "Alguém invadiu minha conta e mudou o e-mail e a senha. Meus vídeos estão sendo apagados. Por favor, urgente!"),
        Sample(language: "pt-BR", market: "BR", channel: .web, queue: "br-account-access", subject: "Banimento injusto",
               body: "Minha conta foi banida sem motivo. Eu não violei nenhuma diretriz. Quero recorrer dessa decisão."),
        Sample(language: "pt-BR", market: "BR", channel: .chat, queue: "br-account-access", subject: "",
               body: "Olá, as moedas que comprei ontem não apareceram na minha carteira."),
        Sample(language: "ar", market: "SA", channel: .inApp, queue: "mena-live", subject: "البث المباشر توقف فجأة",
               body: "السلام عليكم، البث المباشر ينقطع كل خمس دقائق منذ التحديث الأخير. لدي جمهور كبير الليلة، أرجو المساعدة بسرعة."),
        Sample(language: "ar", market: "AE", channel: .email, queue: "mena-live", subject: "الهدايا لم تصل",
               body: "أرسل لي المتابعون هدايا أثناء البث أمس لكن الرصيد لم يتغير. كيف يمكنني التحقق من ذلك؟"),
        Sample(language: "ar", market: "EG", channel: .web, queue: "mena-live", subject: "لا أستطيع بدء بث مباشر",
               body: "يظهر لي خطأ عند الضغط على زر البث المباشر. حسابي عمره أكثر من سنة ولدي أكثر من ألف متابع."),
        Sample(language: "ar", market: "MA", channel: .chat, queue: "mena-live", subject: "",
               body: "مرحبا، كيف أضيف مشرفين إلى البث المباشر الخاص بي؟"),
        Sample(language: "fr", market: "FR", channel: .email, queue: "fr-creators", subject: "Paiement du fonds créateurs",
               body: "Bonjour, je n'ai pas reçu mon paiement du mois dernier alors que mon tableau de bord indique qu'il a été envoyé."),
        Sample(language: "fr", market: "FR", channel: .inApp, queue: "fr-creators", subject: "Vidéo supprimée par erreur",
               body: "Ma vidéo a été retirée pour « contenu dangereux » alors qu'il s'agit d'un tutoriel de cuisine. Je souhaite faire appel."),
        Sample(language: "fr", market: "BE", channel: .web, queue: "fr-creators", subject: "Badge vérifié",
               body: "Bonjour, comment puis-je demander le badge vérifié pour mon compte de créatrice ?"),
        Sample(language: "fr", market: "CA", channel: .chat, queue: "fr-creators", subject: "",
               body: "Salut, les statistiques de mes vidéos ne se mettent plus à jour depuis trois jours."),
        Sample(language: "en", market: "US", channel: .email, queue: "general", subject: "Can't change my username",
               body: "Hi, the app says I changed my username recently but I never did. Could you check what happened?"),
        Sample(language: "en", market: "GB", channel: .inApp, queue: "general", subject: "App crashes when uploading",
               body: "Every time I upload a video longer than 3 minutes the app closes. iPhone 14, latest version."),
        Sample(language: "en", market: "US", channel: .api, queue: "general", subject: "Data download request",
               body: "I would like a copy of all the data you hold about me, as is my right. Please tell me how long it takes."),
        Sample(language: "en", market: "IN", channel: .web, queue: "general", subject: "Refund for coins",
               body: "I bought coins by mistake twice. Can I get a refund for the second purchase?"),
        Sample(language: "en", market: "US", channel: .inApp, queue: "safety", subject: "Someone keeps harassing me",
               body: "A user keeps commenting on all my videos calling me names and sent me threats in DMs. I blocked them but they made new accounts."),
        Sample(language: "pt-BR", market: "BR", channel: .inApp, queue: "safety", subject: "Denúncia de perfil",
               body: "Um perfil está mandando mensagens para menores pedindo fotos. Já denunciei pelo app mas continua ativo."),
    ]

    static let names: [String: [String]] = [
        "pt-BR": ["Ana Souza", "João Pereira", "Mariana Lima", "Lucas Oliveira", "Beatriz Santos"],
        "ar": ["Fatimah Al-Harbi", "Omar Haddad", "Layla Mansour", "Youssef Benali", "Noura Al-Qahtani"],
        "fr": ["Camille Martin", "Hugo Bernard", "Léa Dubois", "Mathis Lefèvre", "Chloé Moreau"],
        "en": ["Emily Carter", "Jordan Lee", "Priya Nair", "Sam Taylor", "Chris Walker"],
    ]

    /// Seeds the database if it has no agents yet. Returns false if it already had data.
    @discardableResult
    public static func seedIfEmpty(_ services: HavenServices, logger: Logger) async throws -> Bool {
        guard try await services.directory.isEmpty() else { return false }
        let directory = services.directory
        for team in ["Brazil", "MENA", "France", "Global", "Safety"] { _ = try await directory.addTeam(name: team) }
        let queues: [(String, String, String, Bool)] = [
            ("general", "Global · General", "Global", true),
            ("br-account-access", "BR · Account access", "Brazil", false),
            ("mena-live", "MENA · LIVE", "MENA", false),
            ("fr-creators", "FR · Creators", "France", false),
            ("creators-white-glove", "Creators · White-glove", "Global", false),
            ("safety", "Safety · Critical", "Safety", false),
        ]
        for (slug, name, team, isDefault) in queues {
            _ = try await directory.addQueue(slug: slug, name: name, team: team, isDefault: isDefault)
        }
        let hash = try await Passwords.hash(password)
        let agentSpecs: [(String, String, [AgentRole], [String], String)] = [
            (adminEmail, "Alex Admin", [.admin, .lead], ["en", "fr"], "Global"),
            ("rafaela@haven.demo", "Rafaela Costa", [.agent], ["pt-BR", "en"], "Brazil"),
            ("thiago@haven.demo", "Thiago Alves", [.agent, .lead], ["pt-BR", "en", "es"], "Brazil"),
            ("amira@haven.demo", "Amira Saleh", [.agent], ["ar", "en", "fr"], "MENA"),
            ("karim@haven.demo", "Karim Naceur", [.agent, .safety], ["ar", "fr"], "MENA"),
            ("juliette@haven.demo", "Juliette Roux", [.agent], ["fr", "en"], "France"),
            ("grace@haven.demo", "Grace Kim", [.qa], ["en", "pt-BR"], "Global"),
            ("sofia@haven.demo", "Sofia Mendes", [.safety, .lead], ["pt-BR", "en", "ar"], "Safety"),
        ]
        var agents: [AgentRecord] = []
        for (email, name, roles, languages, team) in agentSpecs {
            agents.append(try await directory.addAgent(NewAgent(email: email, name: name, passwordHash: hash, roles: roles, languages: languages, team: team)))
        }
        try await seedTickets(services, agents: agents)
        for (name, texts) in cannedResponses {
            _ = try await services.cannedResponses.save(id: nil, name: name, texts: texts, by: nil)
        }
        logger.info("demo data seeded", metadata: ["agents": "\(agents.count)"])
        return true
    }

    static func seedTickets(_ services: HavenServices, agents: [AgentRecord]) async throws {
        let kinds: [ContactKind] = [.user, .user, .creator, .user, .partner]
        let statuses: [TicketStatus] = [.new, .open, .pending, .open, .solved, .new, .onHold, .open]
        for index in 0..<52 {
            let sample = samples[index % samples.count]
            let people = names[sample.language] ?? names["en"]!
            let person = people[(index / samples.count + index) % people.count]
            let kind = kinds[index % kinds.count]
            let handle = person.lowercased().folding(options: .diacriticInsensitive, locale: nil)
                .replacingOccurrences(of: " ", with: ".").replacingOccurrences(of: "'", with: "")
            let requester = RequesterDraft(
                email: "\(handle)@example.com", externalID: "u-\(handle)", name: person, locale: sample.language,
                kind: kind, tier: kind == .creator ? (index % 2 == 0 ? "white-glove" : "rising") : nil, market: sample.market)
            let draft = NewTicketDraft(
                subject: sample.subject.isEmpty ? nil : sample.subject, body: sample.body, channel: sample.channel,
                priority: sample.queue == "safety" ? .urgent : (index % 7 == 0 ? .high : .normal),
                tags: [sample.channel.rawValue, sample.queue], language: sample.language,
                queue: kind == .creator && index % 4 == 0 ? "creators-white-glove" : sample.queue, requester: requester)
            // The harassment report comes with a screenshot, so the demo shows a risky ticket's picture blurred.
            var origin = TicketOrigin()
            if sample.subject == screenshotSubject { origin.newAttachments = [try await screenshot(services)] }
            let ticket = try await services.intake.submit(draft, actor: Actor(kind: .contact, id: nil), origin: origin)
            let status = statuses[index % statuses.count]
            guard status != .new else { continue }
            let agent = agents.first { $0.languages.contains(sample.language) && !$0.has(.qa) } ?? agents[0]
            let actor = Actor.agent(agent.id.uuidString.lowercased())
            _ = try await services.tickets.update(.id(ticket.id), with: TicketUpdate(assignee: .some(agent.id.uuidString)), actor: actor)
            _ = try await services.tickets.addMessage(
                to: .id(ticket.id), NewMessage(body: reply(for: sample.language), visibility: .public, status: status == .open ? nil : status),
                actor: actor)
        }
    }

    static let cannedResponses: [(String, [String: String])] = [
        ("Password reset link sent", [
            "en": "Hi {{customer_name}},\n\nI've sent a password reset link to the email on your account. It works for 30 minutes; if it doesn't arrive, check your spam folder and tell me here.\n\n{{agent_name}}",
            "pt-BR": "Oi, {{customer_name}}!\n\nEnviei um link para redefinir a senha para o e-mail da sua conta. Ele vale por 30 minutos; se não chegar, confira a pasta de spam e me avise por aqui.\n\n{{agent_name}}",
            "ar": "مرحباً {{customer_name}}،\n\nأرسلت رابط إعادة تعيين كلمة المرور إلى البريد الإلكتروني المرتبط بحسابك. يعمل الرابط لمدة 30 دقيقة؛ إن لم يصلك فتحقق من مجلد الرسائل غير المرغوب فيها وأخبرني هنا.\n\n{{agent_name}}",
            "fr": "Bonjour {{customer_name}},\n\nJe vous ai envoyé un lien de réinitialisation du mot de passe à l'adresse e-mail de votre compte. Il est valable 30 minutes ; s'il n'arrive pas, vérifiez vos spams et dites-le-moi ici.\n\n{{agent_name}}",
        ]),
        ("Account secured after a hack", [
            "en": "Hi {{customer_name}},\n\nWe've signed out every device on your account and blocked the changes made by the other person. Please set a new password now and turn on two-step verification in Settings › Security.\n\n{{agent_name}}",
            "pt-BR": "Oi, {{customer_name}}!\n\nDesconectamos todos os aparelhos da sua conta e bloqueamos as alterações feitas pela outra pessoa. Crie uma nova senha agora e ative a verificação em duas etapas em Configurações › Segurança.\n\n{{agent_name}}",
            "ar": "مرحباً {{customer_name}}،\n\nسجّلنا الخروج من جميع الأجهزة على حسابك وأوقفنا التغييرات التي أجراها الشخص الآخر. يُرجى تعيين كلمة مرور جديدة الآن وتفعيل التحقق بخطوتين من الإعدادات › الأمان.\n\n{{agent_name}}",
            "fr": "Bonjour {{customer_name}},\n\nNous avons déconnecté tous les appareils de votre compte et bloqué les modifications faites par l'autre personne. Choisissez maintenant un nouveau mot de passe et activez la validation en deux étapes dans Paramètres › Sécurité.\n\n{{agent_name}}",
        ]),
        ("LIVE: we're looking into it", [
            "en": "Hi {{customer_name}},\n\nThanks for telling us while you're LIVE. I've passed ticket #{{ticket_number}} to the LIVE team as urgent and will update you here within minutes.\n\n{{agent_name}}",
            "pt-BR": "Oi, {{customer_name}}!\n\nObrigada por avisar durante a sua LIVE. Passei o ticket #{{ticket_number}} para a equipe de LIVE como urgente e te atualizo por aqui em poucos minutos.\n\n{{agent_name}}",
        ]),
    ]

    static let screenshotSubject = "Someone keeps harassing me"

    static func screenshot(_ services: HavenServices) async throws -> NewAttachment {
        guard let url = Bundle.module.url(forResource: "comments-screenshot", withExtension: "png", subdirectory: "demo") else {
            throw StorageError.notConfigured("the demo's screenshot is missing from the bundle")
        }
        return try await services.attachmentStore.customerFile(Array(try Data(contentsOf: url)), filename: "comments-screenshot.png")
    }

    static func reply(for language: String) -> String {
        switch language {
        case "pt-BR": "Oi! Obrigada por falar com a gente. Já estou verificando o seu caso e volto com uma resposta em breve."
        case "ar": "مرحباً، شكراً لتواصلك معنا. أنا أتحقق من طلبك الآن وسأعود إليك قريباً."
        case "fr": "Bonjour, merci de nous avoir contactés. Je regarde votre demande et je reviens vers vous rapidement."
        default: "Hi, thanks for reaching out! I'm looking into this now and will get back to you shortly."
        }
    }
}
