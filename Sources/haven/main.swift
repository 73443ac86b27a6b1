import ArgumentParser
import Foundation
import HavenApp
import HavenCore
import HavenMail
import HavenStorage
import Hummingbird
import Logging

/// Where the database is, from flags or the environment.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Folder for the embedded SQLite database and attachments (env HAVEN_DATA_DIR).")
    var dataDir: String?

    @Option(help: "PostgreSQL URL, postgres://user:pass@host:port/db, instead of SQLite (env HAVEN_DATABASE_URL).")
    var databaseURL: String?

    /// The data folder: the SQLite database (unless PostgreSQL is used) and attachment files.
    var directory: String { dataDir ?? ProcessInfo.processInfo.environment["HAVEN_DATA_DIR"] ?? "./haven-data" }

    var location: DatabaseLocation {
        if let url = databaseURL ?? ProcessInfo.processInfo.environment["HAVEN_DATABASE_URL"], !url.isEmpty { return .postgres(url: url) }
        return .sqlite(directory: directory)
    }

    /// Opens and migrates the database, runs `body`, and always closes the database after.
    func withServices<T>(
        logger: Logger, mail: MailIntakeConfiguration = MailIntakeConfiguration(), mailOut: MailOutConfiguration? = nil,
        risk: RiskDetector = TriageModels.risk, _ body: (HavenServices) async throws -> T
    ) async throws -> T {
        let database = try HavenDatabase(location: location, logger: logger)
        do {
            try await database.migrate()
            let services = try HavenServices(
                database: database, logger: logger, dataDirectory: directory, mailConfiguration: mail, mailOut: mailOut, risk: risk)
            let result = try await body(services)
            await database.shutdown()
            return result
        } catch {
            await database.shutdown()
            throw error
        }
    }
}

/// How email is taken in, from flags or the environment.
struct MailOptions: ParsableArguments {
    @Option(help: "A reply to a ticket solved longer ago than this many days (or to a closed one) opens a new, linked ticket (env HAVEN_REOPEN_AFTER_DAYS, default 14).")
    var reopenAfterDays: Double?
    @Option(help: "Largest email accepted, in bytes (default 40 MiB).") var maxMessageBytes = 40 << 20
    @Option(help: "Automatic responses (acknowledgements) to one address per day (default 40).") var autoResponsesPerDay = 40
    @Option(help: "Send mail through this SMTP server: smtp://user:pass@host:587?starttls=required or smtps://user:pass@host:465 (env HAVEN_SMTP_URL). Without it Haven sends no mail.")
    var smtpURL: String?
    @Option(help: "The sender of Haven's mail, e.g. 'Acme Support <support@acme.example>' (env HAVEN_MAIL_FROM); queues can have their own.")
    var mailFrom: String?
    @Option(help: "Sign mail with DKIM using this RSA private key (PEM file; env HAVEN_DKIM_KEY_FILE).") var dkimKey: String?
    @Option(help: "The DKIM selector: the key is published at <selector>._domainkey.<domain> (env HAVEN_DKIM_SELECTOR, default haven).")
    var dkimSelector: String?
    @Option(help: "The DKIM signing domain (env HAVEN_DKIM_DOMAIN; default: the sender's domain).") var dkimDomain: String?
    @Option(help: "Seconds an outbox job stays with the node that took it before another may retry it, if that node died (default 600).")
    var outboxLease: Double?

    private func setting(_ flag: String?, _ variable: String) -> String? {
        (flag ?? ProcessInfo.processInfo.environment[variable]).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Email out, or nil when no SMTP server is configured. Every mistake is reported with how to fix it.
    var mailOut: MailOutConfiguration? {
        get throws {
            guard let url = setting(smtpURL, "HAVEN_SMTP_URL") else { return nil }
            let smtp: SMTPConfiguration
            do { smtp = try SMTPConfiguration(url: url) } catch { throw ValidationError(error.description) }
            guard let fromText = setting(mailFrom, "HAVEN_MAIL_FROM") else {
                throw ValidationError("Sending mail needs a sender: --mail-from 'Support <support@example.com>' (or HAVEN_MAIL_FROM).")
            }
            guard let from = AddressParser.parse(fromText).first, from.address.contains("@") else {
                throw ValidationError("--mail-from '\(fromText)' is not an address; write 'Support <support@example.com>' or support@example.com.")
            }
            var configuration = MailOutConfiguration(smtp: smtp, from: from)
            if let outboxLease {
                guard outboxLease >= 1 else { throw ValidationError("--outbox-lease is in seconds, 1 or more.") }
                configuration.lease = outboxLease
            }
            if let keyFile = setting(dkimKey, "HAVEN_DKIM_KEY_FILE") {
                guard let pem = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
                    throw ValidationError("Cannot read the DKIM key file '\(keyFile)'.")
                }
                let domain = setting(dkimDomain, "HAVEN_DKIM_DOMAIN") ?? configuration.messageIDDomain
                do {
                    configuration.dkim = try DKIMSigner(domain: domain, selector: setting(dkimSelector, "HAVEN_DKIM_SELECTOR") ?? "haven", privateKeyPEM: pem)
                } catch {
                    throw ValidationError(error.description)
                }
            }
            return configuration
        }
    }

    var configuration: MailIntakeConfiguration {
        var configuration = MailIntakeConfiguration()
        let days = reopenAfterDays ?? ProcessInfo.processInfo.environment["HAVEN_REOPEN_AFTER_DAYS"].flatMap(Double.init) ?? 14
        configuration.reopenWindow = days * 86_400
        configuration.maxMessageBytes = maxMessageBytes
        configuration.automaticResponsesPerDay = autoResponsesPerDay
        return configuration
    }

    func validate() throws {
        if let reopenAfterDays, reopenAfterDays < 0 { throw ValidationError("--reopen-after-days must be 0 or more.") }
        if maxMessageBytes < 1_024 { throw ValidationError("--max-message-bytes must be at least 1024.") }
        if autoResponsesPerDay < 0 { throw ValidationError("--auto-responses-per-day must be 0 or more.") }
        _ = try mailOut
    }
}

/// How intake triages, from flags or the environment.
struct TriageOptions: ParsableArguments {
    @Option(help: "A folder of extra risk lexicon files (*.json, the format of Resources/risk-lexicon.json) added to Haven's (env HAVEN_RISK_LEXICON_DIR).")
    var riskLexiconDir: String?

    var directory: String? { (riskLexiconDir ?? ProcessInfo.processInfo.environment["HAVEN_RISK_LEXICON_DIR"]).flatMap { $0.isEmpty ? nil : $0 } }

    /// The risk detector: Haven's lexicon plus the folder's files, each checked.
    var risk: RiskDetector {
        get throws {
            do { return try TriageModels.risk(extraDirectory: directory) } catch { throw ValidationError(error.description) }
        }
    }
}

@main
struct Haven: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haven", abstract: "Haven, the support desk.",
        subcommands: [Serve.self, Migrate.self, User.self, Token.self, Mail.self, TriageCommand.self])
}

func makeLogger(_ level: Logger.Level = .info) -> Logger {
    var logger = Logger(label: "haven")
    logger.logLevel = level
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Haven server.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (env HAVEN_PORT).") var port: Int?
    @Option(help: "Largest JSON request body, in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Largest attachment, in bytes.") var maxAttachmentBytes = 25 << 20
    @Flag(help: "Seed demo data (agents, queues, ~50 tickets) into an empty database.") var demo = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "Also listen for LMTP deliveries (e.g. from Postfix) on host:port, e.g. 127.0.0.1:2424.") var lmtp: String?
    @Option(help: "Queue for mail delivered over LMTP (id, slug or name); default: the default queue.") var lmtpQueue: String?
    @Option(help: "A reverse proxy's address whose X-Forwarded-For names the visitor (repeatable; env HAVEN_TRUSTED_PROXIES, comma-separated).")
    var trustedProxy: [String] = []
    @Option(help: "Suggest a break to an agent after this many pieces of critical content (reveals, high-risk tickets opened) within --break-window; 0: never (default 5).")
    var breakAfter = 5
    @Option(help: "The window for --break-after, in minutes (1 to 1440, default 60).") var breakWindow = 60
    @Option(help: "Set an online agent away after this many minutes without activity in the workspace; 0: never (default 10).")
    var awayAfter = 10
    @Option(help: "Set an online or away agent offline after this many minutes without activity (their tickets go where each queue's offline policy says); 0: never (default 60).")
    var offlineAfter = 60
    @OptionGroup var mail: MailOptions
    @OptionGroup var triage: TriageOptions

    func validate() throws {
        if let lmtp, Self.hostPort(lmtp) == nil {
            throw ValidationError("--lmtp takes host:port, for example 127.0.0.1:2424 (got '\(lmtp)').")
        }
        guard breakAfter >= 0 else { throw ValidationError("--break-after takes a count of 0 or more (0: never suggest a break; got \(breakAfter)).") }
        // The header reads a day of exposure; a longer window would count what it never reads.
        guard (1...1440).contains(breakWindow) else { throw ValidationError("--break-window takes minutes from 1 to 1440 (got \(breakWindow)).") }
        for (name, minutes) in [("--away-after", awayAfter), ("--offline-after", offlineAfter)] where !(0...10_080).contains(minutes) {
            throw ValidationError("\(name) takes minutes from 0 (never) to 10080, a week (got \(minutes)).")
        }
    }

    static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        let logger = makeLogger(Logger.Level(rawValue: logLevel) ?? .info)
        var configuration = HavenConfiguration()
        configuration.host = host
        configuration.port = port ?? ProcessInfo.processInfo.environment["HAVEN_PORT"].flatMap(Int.init) ?? 8080
        configuration.database = database.location
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxAttachmentBytes = maxAttachmentBytes
        configuration.dataDirectory = database.directory
        configuration.lmtp = lmtp.flatMap(Self.hostPort)
        configuration.lmtpQueue = lmtpQueue
        configuration.mail = mail.configuration
        configuration.mailOut = try mail.mailOut
        configuration.riskLexiconDirectory = triage.directory
        configuration.wellbeing = WellbeingPolicy(breakAfter: breakAfter, window: TimeInterval(breakWindow * 60))
        configuration.presence = PresencePolicy(
            awayAfter: awayAfter == 0 ? nil : TimeInterval(awayAfter * 60), offlineAfter: offlineAfter == 0 ? nil : TimeInterval(offlineAfter * 60))
        configuration.trustedProxies = Set(trustedProxy + (ProcessInfo.processInfo.environment["HAVEN_TRUSTED_PROXIES"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if demo {
            let seeded = try await database.withServices(logger: logger) { try await DemoData.seedIfEmpty($0, logger: logger) }
            print(seeded ? "Demo data created." : "The database already has data; demo data not added again.")
            print("Demo admin: \(DemoData.adminEmail) / \(DemoData.password)")
        }
        let app = try await buildApplication(configuration, logger: logger)
        print("Haven is running on http://\(configuration.host):\(configuration.port) with \(configuration.database.description)")
        if let lmtp = configuration.lmtp { print("LMTP deliveries accepted on \(lmtp.host):\(lmtp.port)") }
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await database.withServices(logger: makeLogger()) { _ in }
        print("Database is up to date: \(database.location.description)")
    }
}

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage agents.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an agent. The password is read from HAVEN_PASSWORD or standard input.")
        @OptionGroup var database: DatabaseOptions
        @Option var email: String
        @Option var name: String
        @Option(help: "Comma-separated roles: agent, lead, qa, safety, admin.") var roles = "agent"
        @Option(help: "Comma-separated language tags the agent works in, e.g. pt-BR,en.") var languages = "en"

        func validate() throws {
            guard EmailAddress.normalize(email) != nil else { throw ValidationError("'\(email)' is not an email address.") }
            for role in roles.split(separator: ",") where AgentRole(rawValue: String(role)) == nil {
                throw ValidationError("'\(role)' is not a role. Use: \(AgentRole.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }

        func run() async throws {
            let password = ProcessInfo.processInfo.environment["HAVEN_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
            guard password.count >= Passwords.minimumLength else {
                throw ValidationError("The password needs at least \(Passwords.minimumLength) characters (set HAVEN_PASSWORD or pipe it in).")
            }
            let hash = try await Passwords.hash(password)
            let agent = try await database.withServices(logger: makeLogger(.warning)) { services in
                do {
                    return try await services.directory.addAgent(NewAgent(
                        email: EmailAddress.normalize(email)!, name: name, passwordHash: hash,
                        roles: roles.split(separator: ",").compactMap { AgentRole(rawValue: String($0)) },
                        languages: languages.split(separator: ",").compactMap { LocaleTag.normalize(String($0)) }))
                } catch is DuplicateName {
                    throw ValidationError("An agent with the email \(email) already exists.")
                }
            }
            print("Added \(agent.name) <\(agent.email)>, id \(agent.id.uuidString.lowercased())")
        }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token for an agent and print it.")
        @OptionGroup var database: DatabaseOptions
        @Option var email: String
        @Option(help: "A name to recognise the token by.") var name = "cli"

        func run() async throws {
            let issued = try await database.withServices(logger: makeLogger(.warning)) { services in
                guard let (agent, _) = try await services.directory.agent(email: email) else {
                    throw ValidationError("There is no agent with the email \(email). Add one with 'haven user add'.")
                }
                return try await services.directory.issueToken(forAgent: agent.id, name: name)
            }
            print(issued.token)
        }
    }
}

struct Mail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Email in.", subcommands: [Ingest.self])

    /// For an MTA's pipe transport (Postfix `pipe`, Exim, procmail): one message on stdin.
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest one RFC 5322 message from stdin.",
            discussion: """
                Exit status: 0 stored (or a duplicate, or quarantined for an admin); 75 (EX_TEMPFAIL) temporary \
                failure, the MTA should retry; 65 (EX_DATAERR) refused for good, with the reason on stderr.
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Queue for the new ticket (id, slug or name); default: the default queue.") var queue: String?
        @Option(help: "The envelope recipient (for signed reply addresses), e.g. from Postfix's ${recipient}.") var recipient: [String] = []
        @OptionGroup var mail: MailOptions
        @OptionGroup var triage: TriageOptions

        func run() async throws {
            let raw = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            do {
                let result = try await database.withServices(logger: makeLogger(.warning), mail: mail.configuration, mailOut: try mail.mailOut, risk: try triage.risk) { services in
                    try await services.mailIntake.ingest(raw, queue: queue, source: "cli", envelopeRecipients: recipient)
                }
                var line = result.outcome.rawValue
                if let number = result.ticketNumber { line += " ticket #\(number)" }
                if let id = result.quarantineID { line += " quarantine \(id.uuidString.lowercased()): \(result.reason ?? "")" }
                print(line)
            } catch let rejected as MailRejected {
                FileHandle.standardError.write(Data("haven: message refused: \(rejected.reason)\n".utf8))
                throw ExitCode(65)
            } catch {
                FileHandle.standardError.write(Data("haven: temporary failure, try again later: \(error)\n".utf8))
                throw ExitCode(75)
            }
        }
    }
}

struct TriageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "triage", abstract: "Check triage against labelled messages.", subcommands: [Eval.self])

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Language, risk and topic of each labelled message against its labels: precision, recall and confusion per language and harm, and throughput.",
            discussion: "FILE has one JSON object per line: {\"text\", \"language\", \"level\", \"harms\": [...], \"topic\", \"note\"}; see data/triage/dev-set.jsonl.")

        @Argument(help: "A JSON-lines file of labelled messages.") var file: String
        @OptionGroup var triage: TriageOptions
        @Flag(help: "Leave out the list of disagreements.") var quiet = false
        @Option(help: "Seconds to measure throughput on one thread (0 skips it).") var seconds: Double = 2

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("Cannot read '\(file)'.") }
            let messages: [LabelledMessage]
            do { messages = try LabelledMessage.read(jsonLines: String(decoding: data, as: UTF8.self)) } catch { throw ValidationError("\(file): \(error.description)") }
            guard !messages.isEmpty else { throw ValidationError("\(file) has no messages.") }
            let model = TriageModels.triage(risk: try triage.risk)
            print(TriageEvaluation(messages, triage: model).report(showMisses: !quiet))
            print("")
            print(TopicLearningCheck(messages, triage: model).report())
            guard seconds > 0 else { return }
            var done = 0, critical = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                for message in messages where model.assess(message.text).risk.level == .critical { critical += 1 }
                done += messages.count
            }
            print(String(format: "\nThroughput: %.0f messages/s on one thread (language + risk + topic, %d messages, %d critical)",
                         Double(done) / Date().timeIntervalSince(start), messages.count, critical / max(1, done / messages.count)))
        }
    }
}
