// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "haven",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "haven", targets: ["haven"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-algorithms.git", from: "1.2.1"),
    ],
    targets: [
        // Domain core: value types and rules, no I/O, no server dependencies.
        .target(name: "HavenCore", swiftSettings: swiftSettings),
        // Mail: our own RFC 5322/MIME parser, charsets, HTML to text and sanitizing, quote stripping. No server dependencies.
        .target(name: "HavenMail", swiftSettings: swiftSettings),
        // Storage: Fluent models, migrations, repositories, database setup (SQLite/PostgreSQL).
        .target(
            name: "HavenStorage",
            dependencies: [
                "HavenCore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Algorithms", package: "swift-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP application: routes, controllers, DTOs, auth, problem+json errors.
        .target(
            name: "HavenApp",
            dependencies: [
                "HavenCore",
                "HavenMail",
                "HavenStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/language-model.tsv"), .copy("Resources/risk-lexicon.json"), .copy("Resources/topic-keywords.json"), .copy("Resources/workspace-strings.json"), .copy("Resources/workspace"), .copy("Resources/demo")],
            swiftSettings: swiftSettings
        ),
        // The `haven` command line: serve, migrate, user add, token create.
        .executableTarget(
            name: "haven",
            dependencies: [
                "HavenApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmark: mail parsing throughput (bench/run-mail).
        .executableTarget(name: "mail-bench", dependencies: ["HavenMail"], path: "bench/mail-bench", swiftSettings: swiftSettings),
        // Benchmark: triage throughput on one core (bench/run-triage).
        .executableTarget(name: "triage-bench", dependencies: ["HavenCore"], path: "bench/triage-bench", swiftSettings: swiftSettings),
        .executableTarget(name: "routing-bench", dependencies: ["HavenCore"], path: "bench/routing-bench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "assign-bench", dependencies: ["HavenCore", "HavenStorage", .product(name: "Logging", package: "swift-log")], path: "bench/assign-bench",
            swiftSettings: swiftSettings),
        // Benchmark seed: 100,000 tickets and 1,000,000 search entries for the inbox and search figures (bench/run-inbox).
        .executableTarget(
            name: "inbox-seed", dependencies: ["HavenApp", "HavenCore", "HavenStorage", .product(name: "Logging", package: "swift-log")], path: "bench/inbox-seed",
            swiftSettings: swiftSettings),
        .testTarget(name: "HavenCoreTests", dependencies: ["HavenCore"], exclude: ["Data"], swiftSettings: swiftSettings),
        .testTarget(name: "HavenMailTests", dependencies: ["HavenMail"], resources: [.copy("Corpus")], swiftSettings: swiftSettings),
        .testTarget(name: "HavenStorageTests", dependencies: ["HavenStorage"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HavenAppTests",
            dependencies: [
                "HavenApp",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
