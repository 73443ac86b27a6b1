import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Logging
import ServiceLifecycle

public struct HavenConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var database: DatabaseLocation = .sqlite(directory: "./haven-data")
    /// Largest JSON request body accepted, in bytes.
    public var maxBodyBytes: Int = 1 << 20
    /// Where attachment files live (`<dir>/attachments`); on SQLite, the database's folder.
    public var dataDirectory: String = "./haven-data"
    /// Largest attachment accepted, in bytes.
    public var maxAttachmentBytes: Int = 25 << 20
    public var logLevel: Logger.Level = .info
    /// Where the LMTP listener listens (`--lmtp 127.0.0.1:2424`); nil: no listener.
    public var lmtp: (host: String, port: Int)?
    /// The queue for mail that arrives over LMTP; nil: the default queue.
    public var lmtpQueue: String?
    public var mail = MailIntakeConfiguration()
    /// Email out (`HAVEN_SMTP_URL`); nil: Haven sends no mail.
    public var mailOut: MailOutConfiguration?
    /// A folder of extra risk lexicon files (`--risk-lexicon-dir`), added to the shipped one.
    public var riskLexiconDirectory: String?
    /// Reverse proxies whose `X-Forwarded-For` names the client (the contact form's per-address limit).
    public var trustedProxies: Set<String> = []
    /// How often push queues' offers are made and lapsed offers taken back, and how often SLA clocks are looked at.
    public var assignmentInterval: Duration = .seconds(1)
    public var slaInterval: Duration = .seconds(2)
    /// Which media the workspace blurs, and after how much critical content it suggests a break.
    public var wellbeing = WellbeingPolicy()
    /// When idle agents are set away and offline.
    public var presence = PresencePolicy()

    public init() {}
}

/// Everything the app is built from; tests build the same thing with their own database.
public struct HavenServices: Sendable {
    public let database: HavenDatabase
    public let tickets: any TicketRepository
    public let directory: any DirectoryRepository
    public let intake: TicketIntake
    public let attachments: any AttachmentRepository
    public let attachmentStore: AttachmentStore
    public let mail: any MailRepository
    public let mailIntake: MailIntake
    public let outbox: any OutboxRepository
    public let mailTemplates: any MailTemplateRepository
    public let notifications: any NotificationRepository
    /// Delivers the outbox; nil when Haven sends no mail.
    public let outboxWorker: OutboxWorker?
    public let topics: TopicLearner
    public let triageReports: any TriageReportRepository
    public let apps: any AppRepository
    public let customers: any CustomerRequestRepository
    public let idempotencyKeys: any IdempotencyRepository
    public let routing: any RoutingRepository
    public let routingBook: RoutingBook
    public let assignments: any AssignmentRepository
    public let slaWatch: any SLAWatchRepository
    /// Lockout and session lifetimes: the session store enforces them, the sign-in page sets its cookie by them.
    public let signInPolicy = SignInPolicy()
    public let webSessions: any WebSessionRepository
    public let inbox: any InboxRepository
    public let chats: any ChatRepository
    public let wellbeing: any WellbeingRepository
    public let cannedResponses: any CannedResponseRepository
    /// This node's open chat connections, woken by committed ticket changes.
    let chatHub: ChatHub
    /// This node's open workspace pages, told of ticket changes and of who else is on a ticket.
    let workspaceHub: WorkspaceHub
    /// Agents' activity, for presence that follows them.
    let activity: AgentActivity
    public let logger: Logger
    public let now: @Sendable () -> Date

    public init(
        database: HavenDatabase, logger: Logger, dataDirectory: String, maxAttachmentBytes: Int = 25 << 20,
        mailConfiguration: MailIntakeConfiguration = MailIntakeConfiguration(), mailOut: MailOutConfiguration? = nil,
        risk: RiskDetector = TriageModels.risk, presence: PresencePolicy = PresencePolicy(), now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.database = database
        self.logger = logger
        self.now = now
        let outboundMail = mailOut.map { OutboundMailSettings(messageIDDomain: $0.messageIDDomain) }
        tickets = SQLTicketRepository(database: database, now: now, outboundMail: outboundMail)
        directory = SQLDirectoryRepository(database: database)
        topics = TopicLearner(model: TopicModel(keywords: TriageModels.topicKeywords), examples: SQLTopicExampleRepository(database: database), risk: risk)
        triageReports = SQLTriageReportRepository(database: database)
        apps = SQLAppRepository(database: database, now: now)
        customers = SQLCustomerRequestRepository(database: database, now: now)
        idempotencyKeys = SQLIdempotencyRepository(database: database, now: now)
        routing = SQLRoutingRepository(database: database, now: now)
        routingBook = RoutingBook(repository: routing)
        assignments = SQLAssignmentRepository(database: database, now: now)
        slaWatch = SQLSLAWatchRepository(database: database, now: now)
        activity = AgentActivity(assignments: assignments, policy: presence, logger: logger, now: now)
        webSessions = SQLWebSessionRepository(database: database, policy: signInPolicy, now: now)
        inbox = SQLInboxRepository(database: database, now: now)
        chats = SQLChatRepository(database: database, now: now, outboundMail: outboundMail)
        wellbeing = SQLWellbeingRepository(database: database, now: now)
        cannedResponses = SQLCannedResponseRepository(database: database, now: now)
        chatHub = ChatHub(changes: database.changes)
        workspaceHub = WorkspaceHub(changes: database.changes)
        intake = TicketIntake(tickets: tickets, logger: logger, risk: risk, topics: topics, routing: routingBook)
        attachments = SQLAttachmentRepository(database: database)
        attachmentStore = AttachmentStore(root: (dataDirectory as NSString).appendingPathComponent("attachments"), maxBytes: maxAttachmentBytes)
        mail = SQLMailRepository(database: database)
        mailIntake = MailIntake(
            tickets: tickets, mail: mail, store: attachmentStore, intake: intake, configuration: mailConfiguration,
            logger: logger, now: now)
        outbox = SQLOutboxRepository(database: database)
        mailTemplates = SQLMailTemplateRepository(database: database, now: now)
        notifications = SQLNotificationRepository(database: database, now: now)
        if let mailOut {
            let composer = OutboundMailComposer(
                defaultSender: mailOut.from, templates: mailTemplates, attachments: attachmentStore, replyAddressKey: { [mail] in try await mail.replyAddressKey() })
            let handler = MailOutboxHandler(
                mail: SQLOutboundMailRepository(database: database), outbox: outbox, composer: composer, client: try SMTPClient(mailOut.smtp), dkim: mailOut.dkim,
                retry: mailOut.retry, logger: logger, now: now)
            outboxWorker = OutboxWorker(
                outbox: outbox, handlers: [handler], pollInterval: mailOut.pollInterval, lease: mailOut.lease, logger: logger, now: now)
        } else {
            outboxWorker = nil
        }
    }
}

public func buildRouter(_ services: HavenServices, configuration: HavenConfiguration) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(ProblemMiddleware())
    HealthController(database: services.database).addRoutes(to: router)

    let api = router.group("api/v1")
    let tokenCache = TokenCache()
    let auth = AuthController(directory: services.directory, tokenCache: tokenCache, bodyLimit: configuration.maxBodyBytes)
    auth.addPublicRoutes(to: api)
    let protected = api.group().add(middleware: BearerAuthMiddleware(directory: services.directory, cache: tokenCache))
    auth.addRoutes(to: protected)
    TicketController(tickets: services.tickets, intake: services.intake, bodyLimit: configuration.maxBodyBytes).addRoutes(to: protected)
    AttachmentController(attachments: services.attachments, store: services.attachmentStore).addRoutes(to: protected)
    MailController(
        intake: services.mailIntake, mail: services.mail,
        maxMessageBytes: services.mailIntake.configuration.maxMessageBytes
    ).addRoutes(to: protected)
    MailOutController(templates: services.mailTemplates, outbox: services.outbox, bodyLimit: configuration.maxBodyBytes).addRoutes(to: protected)
    QueueController(directory: services.directory, bodyLimit: configuration.maxBodyBytes).addRoutes(to: protected)
    CannedResponseController(responses: services.cannedResponses, bodyLimit: configuration.maxBodyBytes).addRoutes(to: protected)
    NotificationController(notifications: services.notifications).addRoutes(to: protected)
    RoutingController(
        routing: services.routing, book: services.routingBook, assignments: services.assignments, slaWatch: services.slaWatch, tickets: services.tickets,
        directory: services.directory,
        bodyLimit: configuration.maxBodyBytes
    ).addRoutes(to: protected)
    TriageController(reports: services.triageReports, intake: services.intake, bodyLimit: configuration.maxBodyBytes, now: { Date() })
        .addRoutes(to: protected)

    ContactFormController(
        intake: services.intake, store: services.attachmentStore, formKey: InstallationSecret(database: services.database, name: "form_key"),
        limiter: RateLimiter(now: services.now), trustedProxies: configuration.trustedProxies, acknowledgementsPerDay: services.mailIntake.configuration.automaticResponsesPerDay, logger: services.logger, now: services.now
    ).addRoutes(to: router)

    // The agent workspace: server-rendered pages behind a session cookie.
    WorkspaceAssets().addRoutes(to: router)
    let signIn = SignInController(sessions: services.webSessions, assignments: services.assignments, policy: services.signInPolicy, now: services.now)
    signIn.addPublicRoutes(to: router)
    let workspace = router.group().add(
        middleware: WebSessionMiddleware(
            sessions: services.webSessions, inbox: services.inbox, wellbeing: services.wellbeing, activity: services.activity, hub: services.workspaceHub,
            policy: configuration.wellbeing, now: services.now,
            maxUploadBytes: services.attachmentStore.maxBytes + WebSessionMiddleware.maxFormBytes))
    signIn.addRoutes(to: workspace)
    InboxController(inbox: services.inbox, tickets: services.tickets, assignments: services.assignments).addRoutes(to: workspace)
    TicketPageController(
        tickets: services.tickets, inbox: services.inbox, directory: services.directory, attachments: services.attachments,
        store: services.attachmentStore, chats: services.chats, assignments: services.assignments, wellbeing: services.wellbeing,
        cannedResponses: services.cannedResponses,
        policy: configuration.wellbeing, now: services.now
    ).addRoutes(to: workspace)
    // The admin area: admins only, each page checks.
    CannedResponsesAdminController(responses: services.cannedResponses).addRoutes(to: workspace)
    AgentsAdminController(directory: services.directory, routing: services.routing, assignments: services.assignments).addRoutes(to: workspace)
    MailTemplatesAdminController(templates: services.mailTemplates).addRoutes(to: workspace)
    QueuesAdminController(directory: services.directory, routing: services.routing).addRoutes(to: workspace)
    RoutingAdminController(routing: services.routing, book: services.routingBook).addRoutes(to: workspace)
    QuarantineAdminController(mail: services.mail, intake: services.mailIntake, directory: services.directory).addRoutes(to: workspace)
    WellbeingController(
        wellbeing: services.wellbeing, policy: configuration.wellbeing, attachments: services.attachments, tickets: services.tickets,
        assignments: services.assignments, now: services.now
    ).addRoutes(to: workspace)

    // The in-app API: its callers are apps' users with signed identities, not agents.
    let verifier = AppIdentityVerifier(apps: services.apps)
    AppAdminController(apps: services.apps, verifier: verifier, bodyLimit: configuration.maxBodyBytes).addRoutes(to: protected)
    ChatController(
        intake: services.intake, chats: services.chats, customers: services.customers, store: services.attachmentStore, verifier: verifier, limiter: RateLimiter(now: services.now), trustedProxies: configuration.trustedProxies,
        bodyLimit: configuration.maxBodyBytes
    ).addRoutes(to: router)
    let inApp = api.group("app").add(middleware: AppIdentityMiddleware(verifier: verifier, limiter: RateLimiter(now: services.now)))
    InAppController(
        intake: services.intake, tickets: services.tickets, customers: services.customers, store: services.attachmentStore,
        idempotency: Idempotency(keys: services.idempotencyKeys), bodyLimit: configuration.maxBodyBytes
    ).addRoutes(to: inApp)
    return router
}

/// Builds the whole application: database opened and migrated, routes, and the services that shut down with it.
public func buildApplication(_ configuration: HavenConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    // Everything that can refuse the configuration is checked before the database is opened.
    let risk = try TriageModels.risk(extraDirectory: configuration.riskLexiconDirectory)
    let database = try HavenDatabase(location: configuration.database, logger: logger)
    let services: HavenServices
    do {
        try await database.migrate()
        services = try HavenServices(
            database: database, logger: logger, dataDirectory: configuration.dataDirectory, maxAttachmentBytes: configuration.maxAttachmentBytes,
            mailConfiguration: configuration.mail, mailOut: configuration.mailOut, risk: risk, presence: configuration.presence)
        // The topic model starts from what agents have taught every node so far.
        try await services.topics.catchUp()
    } catch {
        await database.shutdown()
        throw error
    }
    let router = buildRouter(services, configuration: configuration)
    var app = Application(
        router: router,
        server: .http1WebSocketUpgrade(webSocketRouter: buildWebSocketRouter(services)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Haven"),
        logger: logger)
    if let lmtp = configuration.lmtp {
        app.addServices(LMTPServer(host: lmtp.host, port: lmtp.port, intake: services.mailIntake, queue: configuration.lmtpQueue, logger: logger))
    }
    if let worker = services.outboxWorker {
        logger.info("sending mail", metadata: ["smtp": "\(configuration.mailOut!.smtp.redacted)", "from": "\(configuration.mailOut!.from.address)"])
        app.addServices(worker)
    }
    for round in backgroundRounds(services, configuration: configuration, logger: logger) { app.addServices(round) }
    if case .postgres(let url) = configuration.database {
        // Other nodes' ticket changes (chat messages, assignments) arrive over LISTEN.
        let listener = TicketChangeListener(url: url, changes: database.changes, logger: logger)
        app.addServices(RepeatingService(name: "ticket notices", interval: .seconds(1), logger: logger) { await listener.run() })
    }
    app.addServices(DatabaseCloser(database: database))
    return app
}

/// What every node does in the background, each a `RepeatingService`.
func backgroundRounds(_ services: HavenServices, configuration: HavenConfiguration, logger: Logger) -> [RepeatingService] {
    [
        // The topic model learns what every node's agents have solved.
        RepeatingService(name: "topic learning", interval: .seconds(5), logger: logger) {
            let learned = try await services.topics.catchUp()
            if learned > 0 { logger.debug("topic model learned", metadata: ["examples": "\(learned)"]) }
        },
        // Idempotency keys are answered for 24 hours.
        RepeatingService(name: "idempotency key pruning", interval: .seconds(3600), logger: logger) {
            let pruned = try await services.idempotencyKeys.prune(olderThan: services.now().addingTimeInterval(-Idempotency.keep))
            if pruned > 0 { logger.info("idempotency keys pruned", metadata: ["count": "\(pruned)"]) }
        },
        // Push queues: lapsed offers come back, then waiting tickets are offered (on PostgreSQL one node at a time).
        RepeatingService(name: "assignment round", interval: configuration.assignmentInterval, logger: logger) {
            let expired = try await services.assignments.expireOffers()
            let offered = try await services.assignments.offerWaiting()
            if expired + offered > 0 { logger.debug("assignment round", metadata: ["offered": "\(offered)", "expired": "\(expired)"]) }
        },
        // Web sessions past their expiry are deleted.
        RepeatingService(name: "web session pruning", interval: .seconds(3600), logger: logger) {
            let pruned = try await services.webSessions.pruneExpired()
            if pruned > 0 { logger.debug("expired web sessions pruned", metadata: ["count": "\(pruned)"]) }
        },
        // The safety net for a notice from another node that was lost (its listener's connection dropped, or the node
        // stopped between a commit and its notice): one query asks which open chats have entries after what their
        // connections sent, and only those are woken. (Waking every connection cost a read each: 2,000 reads every
        // 5 s at 1,000 chats on two nodes, a third of the database's reads in the chat bench.)
        RepeatingService(name: "chat catch-up", interval: .seconds(5), logger: logger) {
            if services.database.isPostgres { try await services.wakeChatsLeftBehind() }
        },
        // Presence follows the agent: idle agents are set away, then offline.
        RepeatingService(name: "presence", interval: .seconds(30), logger: logger) {
            let changed = try await services.assignments.applyIdle(configuration.presence)
            if changed > 0 { logger.info("idle agents' presence changed", metadata: ["count": "\(changed)"]) }
        },
        // SLA clocks: what is due is looked at, a batch at a time, until nothing is.
        RepeatingService(name: "SLA watch", interval: configuration.slaInterval, logger: logger) {
            while try await services.slaWatch.checkDue(limit: 100) == 100 {}
        },
    ]
}

/// Closes the database pools after the server has stopped taking requests.
struct DatabaseCloser: Service {
    let database: HavenDatabase
    func run() async throws {
        try? await gracefulShutdown()
        await database.shutdown()
    }
}

extension HavenServices {
    /// Wakes this node's chat connections on tickets with entries after what they sent (see "chat catch-up").
    func wakeChatsLeftBehind() async throws {
        chatHub.wake(try await chats.ticketsWithEntries(after: chatHub.cursors))
    }
}
