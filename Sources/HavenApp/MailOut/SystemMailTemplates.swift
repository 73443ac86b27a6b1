import Foundation
import HavenCore
import HavenStorage
import Mustache

/// The system mails (acknowledgement, solved notice) in each language Haven speaks, as Mustache templates
/// of plain text; admins replace any of them (`PUT /api/v1/mail/templates/{key}/{locale}`) without a rebuild.
/// The HTML part is made from the text (paragraphs, escaped, right-to-left for Arabic), so an edit can never
/// break the markup.
public enum SystemMailTemplates {
    public static let keys = ["acknowledgement", "solved", "chat_transcript"]
    public static let locales = HavenLocale.all
    /// The variables a template may use.
    public static let variables: Set<String> = ["customer_name", "ticket_number", "subject", "team_name", "transcript"]

    public struct Text: Sendable, Equatable {
        public var subject: String
        public var body: String
    }

    /// Haven's own texts: warm, short, and saying what happens next.
    public static func builtIn(key: String, locale: String) -> Text? {
        switch (key, locale) {
        case ("acknowledgement", "en"):
            Text(subject: "Re: {{subject}}", body: """
                Hi{{#customer_name}} {{customer_name}}{{/customer_name}},

                Thank you for reaching out. We have received your request and someone from our support team will get back to you as soon as possible.

                Your request number is #{{ticket_number}}. If you would like to add anything, just reply to this email.

                Warm regards,
                {{team_name}}
                """)
        case ("acknowledgement", "pt-BR"):
            Text(subject: "Re: {{subject}}", body: """
                Olá{{#customer_name}}, {{customer_name}}{{/customer_name}}!

                Obrigado por entrar em contato. Recebemos a sua solicitação e alguém da nossa equipe de suporte vai responder o mais rápido possível.

                O número da sua solicitação é #{{ticket_number}}. Se quiser acrescentar alguma informação, é só responder a este e-mail.

                Um abraço,
                {{team_name}}
                """)
        case ("acknowledgement", "ar"):
            Text(subject: "Re: {{subject}}", body: """
                مرحبًا{{#customer_name}} {{customer_name}}{{/customer_name}}،

                شكرًا لتواصلك معنا. لقد استلمنا طلبك، وسيرد عليك أحد أعضاء فريق الدعم في أقرب وقت ممكن.

                رقم طلبك هو #{{ticket_number}}. إذا أردت إضافة أي معلومات، يكفي أن ترد على هذه الرسالة.

                مع أطيب التحيات،
                {{team_name}}
                """)
        case ("acknowledgement", "fr"):
            Text(subject: "Re: {{subject}}", body: """
                Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

                Merci de nous avoir contactés. Nous avons bien reçu votre demande et un membre de notre équipe d’assistance vous répondra dans les plus brefs délais.

                Le numéro de votre demande est le #{{ticket_number}}. Pour ajouter une précision, il vous suffit de répondre à cet e-mail.

                Bien cordialement,
                {{team_name}}
                """)
        case ("solved", "en"):
            Text(subject: "Re: {{subject}}", body: """
                Hi{{#customer_name}} {{customer_name}}{{/customer_name}},

                We have marked your request #{{ticket_number}} ("{{subject}}") as solved. We hope everything works as it should now.

                If something is still not right, just reply to this email and we will pick it up again right away.

                Warm regards,
                {{team_name}}
                """)
        case ("solved", "pt-BR"):
            Text(subject: "Re: {{subject}}", body: """
                Olá{{#customer_name}}, {{customer_name}}{{/customer_name}}!

                Marcamos a sua solicitação #{{ticket_number}} ("{{subject}}") como resolvida. Esperamos que esteja tudo funcionando bem agora.

                Se algo ainda não estiver certo, é só responder a este e-mail que retomamos o atendimento na hora.

                Um abraço,
                {{team_name}}
                """)
        case ("solved", "ar"):
            Text(subject: "Re: {{subject}}", body: """
                مرحبًا{{#customer_name}} {{customer_name}}{{/customer_name}}،

                يسعدنا إبلاغك بأن طلبك رقم #{{ticket_number}} («{{subject}}») قد تم حله. نأمل أن يعمل كل شيء كما ينبغي الآن.

                إذا كان هناك ما لا يزال غير صحيح، فقط رد على هذه الرسالة وسنتابع طلبك فورًا.

                مع أطيب التحيات،
                {{team_name}}
                """)
        case ("solved", "fr"):
            Text(subject: "Re: {{subject}}", body: """
                Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

                Nous avons indiqué votre demande #{{ticket_number}} (« {{subject}} ») comme résolue. Nous espérons que tout fonctionne à nouveau comme il se doit.

                Si quelque chose ne va toujours pas, répondez simplement à cet e-mail et nous reprendrons votre demande aussitôt.

                Bien cordialement,
                {{team_name}}
                """)
        case ("chat_transcript", "en"):
            Text(subject: "Your chat with {{team_name}} (#{{ticket_number}})", body: """
                Hi{{#customer_name}} {{customer_name}}{{/customer_name}},

                Here is the transcript of your chat with us, as you asked.

                {{transcript}}

                If anything is left, just reply to this email: it goes on in the same request (#{{ticket_number}}).

                Warm regards,
                {{team_name}}
                """)
        case ("chat_transcript", "pt-BR"):
            Text(subject: "Sua conversa com {{team_name}} (nº {{ticket_number}})", body: """
                Olá{{#customer_name}}, {{customer_name}}{{/customer_name}}!

                Aqui está a transcrição da sua conversa com a gente, como você pediu.

                {{transcript}}

                Se ainda faltar algo, é só responder a este e-mail: ele continua na mesma solicitação (nº {{ticket_number}}).

                Um abraço,
                {{team_name}}
                """)
        case ("chat_transcript", "ar"):
            Text(subject: "محادثتك مع {{team_name}} (#{{ticket_number}})", body: """
                مرحبًا{{#customer_name}} {{customer_name}}{{/customer_name}}،

                إليك نص محادثتك معنا كما طلبت.

                {{transcript}}

                إذا بقي أي شيء، فقط رد على هذه الرسالة وستتابع في الطلب نفسه (#{{ticket_number}}).

                مع أطيب التحيات،
                {{team_name}}
                """)
        case ("chat_transcript", "fr"):
            Text(subject: "Votre conversation avec {{team_name}} (n° {{ticket_number}})", body: """
                Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

                Voici la transcription de votre conversation avec nous, comme vous l’avez demandé.

                {{transcript}}

                S’il reste quelque chose, répondez simplement à cet e-mail : il rejoint la même demande (n° {{ticket_number}}).

                Bien cordialement,
                {{team_name}}
                """)
        default: nil
        }
    }

    /// How a transcript names its two sides when a line has no agent name: the customer ("You"), and the team.
    static func transcriptWords(_ locale: String) -> (you: String, support: String, file: String) {
        switch locale {
        case "pt-BR": ("Você", "Suporte", "arquivo")
        case "ar": ("أنت", "الدعم", "ملف")
        case "fr": ("Vous", "Assistance", "fichier")
        default: ("You", "Support", "file")
        }
    }

    /// A chat's lines as plain text: "[2026-11-22 14:03 UTC] Ana: text", files named after their line. Agents by their
    /// first name, as the customer saw them in the chat.
    static func transcript(_ lines: [TranscriptLine], locale: String) -> String {
        let words = transcriptWords(locale)
        let format = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon).dateTimeSeparator(.space)
        return lines.map { line in
            let who = line.fromCustomer ? words.you : line.agentName.map { ChatEntry.publicName($0) } ?? words.support
            var text = "[\(line.at.formatted(format).dropLast(3)) UTC] \(who): \(line.text)"
            for file in line.files { text += "\n    (\(words.file): \(file))" }
            return text
        }.joined(separator: "\n\n")
    }

    /// Problems with an edited template, empty when it is usable: Mustache syntax, and only known variables.
    public static func problems(_ text: String, field: String, variables: Set<String> = variables) -> [String] {
        do {
            _ = try MustacheTemplate(string: text)
        } catch {
            return ["\(field) is not a valid template (\(error)); write variables as {{name}}, and close every {{#name}} with {{/name}}."]
        }
        var problems: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: "#^/&{} "))
            if !tag.isEmpty, !tag.hasPrefix("!"), !variables.contains(tag) {
                problems.append("\(field) uses {{\(tag)}}, which Haven does not know; the variables are \(variables.sorted().joined(separator: ", ")).")
            }
            rest = rest[close.upperBound...]
        }
        return problems
    }

    /// Renders a template's text with the values; plain text, nothing escaped.
    static func render(_ text: String, _ values: [String: Any]) -> String {
        guard let template = try? MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text) else { return text }
        return template.render(values)
    }
}
