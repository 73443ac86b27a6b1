import HavenCore

/// The contact form's words in each language Haven's customers write in. Arabic is laid out right to left.
enum ContactFormStrings {
    static let locales = HavenLocale.all
    /// Each language's name in itself, for the switcher.
    static let names = ["en": "English", "pt-BR": "Português (Brasil)", "ar": "العربية", "fr": "Français"]

    static func direction(_ locale: String) -> String { locale == "ar" ? "rtl" : "ltr" }

    /// The best of our locales for an `Accept-Language` header (by q-value, then order); English when none fits.
    static func locale(acceptLanguage header: String?) -> String {
        guard let header else { return "en" }
        let ranges: [(tag: String, q: Double)] = header.split(separator: ",").compactMap { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, !tag.isEmpty else { return nil }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q)
        }
        for range in ranges.enumerated().sorted(by: { $0.element.q != $1.element.q ? $0.element.q > $1.element.q : $0.offset < $1.offset }).map(\.element)
        where range.q > 0 {
            if let match = match(range.tag) { return match }
        }
        return "en"
    }

    /// One of our locales for a tag: "pt", "pt-PT" → pt-BR (the Portuguese we write), "fr-CA" → fr, "ar-EG" → ar.
    static func match(_ tag: String) -> String? {
        let language = tag.lowercased().split(separator: "-").first.map(String.init) ?? ""
        switch language {
        case "en": return "en"
        case "pt": return "pt-BR"
        case "ar": return "ar"
        case "fr": return "fr"
        default: return nil
        }
    }

    static func text(_ key: String, _ locale: String) -> String {
        table[locale]?[key] ?? table["en"]![key] ?? key
    }

    static func category(_ topic: Topic, _ locale: String) -> String { text("category." + topic.rawValue, locale) }

    static let table: [String: [String: String]] = [
        "en": [
            "error.server": "Your request could not be saved just now; nothing was lost on this page. Please send it again in a minute.", "error.size": "The files are too large together; send fewer or smaller ones.",
            "title": "Contact support", "intro": "Tell us what happened and we will answer by email.",
            "name": "Your name", "email": "Your email", "category": "What is it about?", "choose": "Choose a topic",
            "description": "What happened?", "description.hint": "Include what you tried and any error message.",
            "attachments": "Screenshots or screen recordings (optional)", "attachments.hint": "PNG, JPEG, GIF, WebP, HEIC, MP4, MOV or WebM, up to %@ each.",
            "send": "Send", "language": "Language", "honeypot": "Leave this field empty",
            "errors.title": "Please check the form:", "error.name": "Write your name (up to 200 characters).",
            "error.email": "Write an email address we can answer, like name@example.com.", "error.category": "Choose a topic.",
            "error.description": "Describe what happened.", "error.description.long": "The description is too long.",
            "error.file.type": "“%@” is not a screenshot or screen recording we accept.",
            "error.file.name": "“%@” is named like another type of file; rename it to match what it is.",
            "error.file.size": "A file is larger than %@.",
            "error.fast": "That was very quick. Please check the form and send it again.",
            "error.expired": "This form was open too long. Please send it again.",
            "error.token": "This form could not be verified (it may be out of date, or cookies are off). Please send it again.",
            "error.bot": "This form could not be sent. Please leave the last hidden field empty.",
            "error.rate": "Too many messages from your network. Please try again in %@ seconds.",
            "sent.title": "Thank you, we received your request", "sent.number": "Your request number is %@.",
            "sent.email": "We will answer by email; keep the number if you write to us again.", "sent.again": "Send another request",
            "category.account_access": "I can't log in", "category.hacked_account": "My account was hacked",
            "category.ban_appeal": "My account or content was banned or removed", "category.live_gifts": "LIVE, gifts and coins",
            "category.payments": "Payments and payouts", "category.creator_tools": "Creator tools", "category.bug": "Something doesn't work",
            "category.privacy_request": "Privacy or my data", "category.safety_report": "Report a safety concern", "category.other": "Something else",
        ],
        "pt-BR": [
            "error.server": "Não foi possível salvar sua solicitação agora; nada se perdeu nesta página. Envie de novo em um minuto.", "error.size": "Os arquivos juntos são grandes demais; envie menos arquivos ou arquivos menores.",
            "title": "Fale com o suporte", "intro": "Conte o que aconteceu e responderemos por e-mail.",
            "name": "Seu nome", "email": "Seu e-mail", "category": "Sobre o que é?", "choose": "Escolha um assunto",
            "description": "O que aconteceu?", "description.hint": "Inclua o que você já tentou e qualquer mensagem de erro.",
            "attachments": "Capturas de tela ou gravações de tela (opcional)", "attachments.hint": "PNG, JPEG, GIF, WebP, HEIC, MP4, MOV ou WebM, até %@ cada.",
            "send": "Enviar", "language": "Idioma", "honeypot": "Deixe este campo vazio",
            "errors.title": "Confira o formulário:", "error.name": "Escreva seu nome (até 200 caracteres).",
            "error.email": "Escreva um e-mail em que possamos responder, como nome@exemplo.com.", "error.category": "Escolha um assunto.",
            "error.description": "Descreva o que aconteceu.", "error.description.long": "A descrição está longa demais.",
            "error.file.type": "“%@” não é uma captura ou gravação de tela que aceitamos.",
            "error.file.name": "“%@” tem o nome de outro tipo de arquivo; renomeie-o de acordo com o que ele é.",
            "error.file.size": "Um arquivo é maior que %@.",
            "error.fast": "Foi rápido demais. Confira o formulário e envie de novo.",
            "error.expired": "Este formulário ficou aberto por muito tempo. Envie de novo.",
            "error.token": "Não foi possível verificar este formulário (pode estar desatualizado ou os cookies estão desativados). Envie de novo.",
            "error.bot": "Não foi possível enviar este formulário. Deixe vazio o último campo oculto.",
            "error.rate": "Muitas mensagens da sua rede. Tente de novo em %@ segundos.",
            "sent.title": "Obrigado, recebemos sua solicitação", "sent.number": "O número da sua solicitação é %@.",
            "sent.email": "Responderemos por e-mail; guarde o número se escrever de novo.", "sent.again": "Enviar outra solicitação",
            "category.account_access": "Não consigo entrar na conta", "category.hacked_account": "Minha conta foi hackeada",
            "category.ban_appeal": "Minha conta ou conteúdo foi banido ou removido", "category.live_gifts": "LIVE, presentes e moedas",
            "category.payments": "Pagamentos e saques", "category.creator_tools": "Ferramentas para criadores", "category.bug": "Algo não funciona",
            "category.privacy_request": "Privacidade ou meus dados", "category.safety_report": "Denunciar um risco à segurança", "category.other": "Outro assunto",
        ],
        "ar": [
            "error.server": "تعذّر حفظ طلبك الآن؛ لم يضِع شيء من هذه الصفحة. أرسله مرة أخرى بعد دقيقة.", "error.size": "الملفات معًا كبيرة جدًا؛ أرسل عددًا أقل أو ملفات أصغر.",
            "title": "تواصل مع الدعم", "intro": "أخبرنا بما حدث وسنرد عليك عبر البريد الإلكتروني.",
            "name": "اسمك", "email": "بريدك الإلكتروني", "category": "بخصوص ماذا؟", "choose": "اختر موضوعًا",
            "description": "ماذا حدث؟", "description.hint": "اذكر ما جرّبته وأي رسالة خطأ ظهرت لك.",
            "attachments": "لقطات شاشة أو تسجيلات شاشة (اختياري)", "attachments.hint": "PNG أو JPEG أو GIF أو WebP أو HEIC أو MP4 أو MOV أو WebM، حتى %@ لكل ملف.",
            "send": "إرسال", "language": "اللغة", "honeypot": "اترك هذا الحقل فارغًا",
            "errors.title": "يرجى مراجعة النموذج:", "error.name": "اكتب اسمك (حتى 200 حرف).",
            "error.email": "اكتب بريدًا إلكترونيًا يمكننا الرد عليه، مثل name@example.com.", "error.category": "اختر موضوعًا.",
            "error.description": "صف ما حدث.", "error.description.long": "الوصف طويل جدًا.",
            "error.file.type": "«%@» ليس لقطة شاشة أو تسجيل شاشة نقبله.",
            "error.file.name": "اسم «%@» يدل على نوع آخر من الملفات؛ غيّر اسمه ليطابق نوعه.",
            "error.file.size": "أحد الملفات أكبر من %@.",
            "error.fast": "كان ذلك سريعًا جدًا. راجع النموذج وأرسله مرة أخرى.",
            "error.expired": "بقي هذا النموذج مفتوحًا مدة طويلة. أرسله مرة أخرى.",
            "error.token": "تعذّر التحقق من هذا النموذج (ربما انتهت صلاحيته أو ملفات تعريف الارتباط معطلة). أرسله مرة أخرى.",
            "error.bot": "تعذّر إرسال هذا النموذج. اترك الحقل المخفي الأخير فارغًا.",
            "error.rate": "رسائل كثيرة جدًا من شبكتك. حاول مرة أخرى بعد %@ ثانية.",
            "sent.title": "شكرًا لك، تلقّينا طلبك", "sent.number": "رقم طلبك هو %@.",
            "sent.email": "سنرد عليك عبر البريد الإلكتروني؛ احتفظ بالرقم إذا راسلتنا مرة أخرى.", "sent.again": "إرسال طلب آخر",
            "category.account_access": "لا أستطيع تسجيل الدخول", "category.hacked_account": "تم اختراق حسابي",
            "category.ban_appeal": "تم حظر حسابي أو حذف محتواي", "category.live_gifts": "البث المباشر والهدايا والعملات",
            "category.payments": "المدفوعات والأرباح", "category.creator_tools": "أدوات صنّاع المحتوى", "category.bug": "شيء لا يعمل",
            "category.privacy_request": "الخصوصية أو بياناتي", "category.safety_report": "الإبلاغ عن خطر على السلامة", "category.other": "موضوع آخر",
        ],
        "fr": [
            "error.server": "Votre demande n’a pas pu être enregistrée pour l’instant ; rien n’est perdu sur cette page. Renvoyez-la dans une minute.", "error.size": "Les fichiers sont trop lourds ensemble ; envoyez-en moins ou de plus petits.",
            "title": "Contacter l’assistance", "intro": "Dites-nous ce qui s’est passé, nous vous répondrons par e-mail.",
            "name": "Votre nom", "email": "Votre e-mail", "category": "De quoi s’agit-il ?", "choose": "Choisissez un sujet",
            "description": "Que s’est-il passé ?", "description.hint": "Précisez ce que vous avez essayé et tout message d’erreur.",
            "attachments": "Captures ou enregistrements d’écran (facultatif)", "attachments.hint": "PNG, JPEG, GIF, WebP, HEIC, MP4, MOV ou WebM, jusqu’à %@ chacun.",
            "send": "Envoyer", "language": "Langue", "honeypot": "Laissez ce champ vide",
            "errors.title": "Veuillez vérifier le formulaire :", "error.name": "Indiquez votre nom (200 caractères au plus).",
            "error.email": "Indiquez une adresse e-mail où vous répondre, comme nom@exemple.com.", "error.category": "Choisissez un sujet.",
            "error.description": "Décrivez ce qui s’est passé.", "error.description.long": "La description est trop longue.",
            "error.file.type": "« %@ » n’est pas une capture ou un enregistrement d’écran accepté.",
            "error.file.name": "« %@ » porte le nom d’un autre type de fichier ; renommez-le selon ce qu’il est.",
            "error.file.size": "Un fichier dépasse %@.",
            "error.fast": "C’était très rapide. Vérifiez le formulaire et envoyez-le à nouveau.",
            "error.expired": "Ce formulaire est resté ouvert trop longtemps. Envoyez-le à nouveau.",
            "error.token": "Ce formulaire n’a pas pu être vérifié (il est peut-être périmé, ou les cookies sont désactivés). Envoyez-le à nouveau.",
            "error.bot": "Ce formulaire n’a pas pu être envoyé. Laissez vide le dernier champ caché.",
            "error.rate": "Trop de messages depuis votre réseau. Réessayez dans %@ secondes.",
            "sent.title": "Merci, nous avons bien reçu votre demande", "sent.number": "Le numéro de votre demande est %@.",
            "sent.email": "Nous vous répondrons par e-mail ; gardez ce numéro si vous nous écrivez à nouveau.", "sent.again": "Envoyer une autre demande",
            "category.account_access": "Je n’arrive pas à me connecter", "category.hacked_account": "Mon compte a été piraté",
            "category.ban_appeal": "Mon compte ou mon contenu a été banni ou supprimé", "category.live_gifts": "LIVE, cadeaux et pièces",
            "category.payments": "Paiements et versements", "category.creator_tools": "Outils pour créateurs", "category.bug": "Quelque chose ne fonctionne pas",
            "category.privacy_request": "Confidentialité ou mes données", "category.safety_report": "Signaler un problème de sécurité", "category.other": "Autre chose",
        ],
    ]
}
