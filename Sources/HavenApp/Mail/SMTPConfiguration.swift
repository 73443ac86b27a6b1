import Foundation

/// Where and how Haven hands its mail to an SMTP server, from `HAVEN_SMTP_URL`:
///
/// - `smtp://user:pass@host:587?starttls=required`: submission with STARTTLS (the default for port 587);
/// - `smtps://user:pass@host:465`: TLS from the first byte;
/// - `smtp://host:25?starttls=off`: plain, for a relay on the same machine or network.
///
/// Other parameters: `starttls=opportunistic` (use it when offered), `ca=/path/to/ca.pem` (trust this
/// certificate authority besides the system's), `tls_verify=false` (accept any certificate: only for testing),
/// `helo=name` (the name Haven greets with; default: the sender's domain, since relays often refuse names without a dot), `timeout=30` (seconds to wait for each reply).
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// Plain text; credentials are never sent this way.
        case none
        /// STARTTLS when the server offers it, plain otherwise.
        case opportunistic
        /// STARTTLS or no delivery.
        case startTLS
        /// TLS from the first byte (`smtps://`, port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var verifyCertificates = true
    /// A PEM file of certificate authorities trusted besides the system's.
    public var caFile: String?
    /// The name sent with EHLO; nil: the sender's domain (`MailOutConfiguration` fills it in).
    public var heloName: String?
    /// Seconds to wait for the connection and for each reply (RFC 5321 §4.5.3.2 suggests minutes; relays answer in seconds).
    public var timeout: Double
    /// Seconds to wait for the reply to the end of DATA, when the server may be scanning the message.
    public var dataTimeout: Double

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, heloName: String? = nil,
        timeout: Double = 30, dataTimeout: Double = 120
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.timeout = timeout
        self.dataTimeout = dataTimeout
    }

    /// Reads an `smtp://` or `smtps://` URL; the error says what is wrong and what a good URL looks like.
    public init(url text: String) throws(ConfigurationError) {
        let example = "for example smtp://user:password@mail.example.com:587?starttls=required or smtps://user:password@mail.example.com:465"
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps" else {
            throw ConfigurationError("HAVEN_SMTP_URL must be an smtp:// or smtps:// URL, \(example).")
        }
        guard let host = url.host, !host.isEmpty else { throw ConfigurationError("HAVEN_SMTP_URL has no host, \(example).") }
        let implicit = scheme == "smtps"
        let port = url.port ?? (implicit ? 465 : 587)
        guard (1...65535).contains(port) else { throw ConfigurationError("HAVEN_SMTP_URL's port \(port) is not a TCP port.") }
        var security: Security = implicit ? .implicitTLS : (port == 25 ? .opportunistic : .startTLS)
        var verify = true, caFile: String?, helo: String?, timeout = 30.0
        for item in url.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name.lowercased() {
            case "starttls":
                guard !implicit else { throw ConfigurationError("HAVEN_SMTP_URL: smtps:// is TLS already; starttls does not apply.") }
                switch value.lowercased() {
                case "required", "true", "yes": security = .startTLS
                case "opportunistic", "optional": security = .opportunistic
                case "off", "false", "no", "none": security = .none
                default: throw ConfigurationError("HAVEN_SMTP_URL: starttls must be required, opportunistic or off, not '\(value)'.")
                }
            case "tls_verify":
                guard let flag = Bool(value.lowercased()) else { throw ConfigurationError("HAVEN_SMTP_URL: tls_verify must be true or false.") }
                verify = flag
            case "ca": caFile = value
            case "helo":
                guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
                    throw ConfigurationError("HAVEN_SMTP_URL: helo must be a host name.")
                }
                helo = value
            case "timeout":
                guard let seconds = Double(value), seconds > 0, seconds <= 600 else {
                    throw ConfigurationError("HAVEN_SMTP_URL: timeout is in seconds, between 1 and 600.")
                }
                timeout = seconds
            default:
                throw ConfigurationError("HAVEN_SMTP_URL: unknown parameter '\(item.name)'; known: starttls, ca, tls_verify, helo, timeout.")
            }
        }
        let user = url.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        let password = url.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        if user != nil, security == .none {
            throw ConfigurationError("HAVEN_SMTP_URL has a password but starttls=off: Haven never sends credentials unencrypted.")
        }
        self.init(host: host, port: port, security: security, username: user, password: password, heloName: helo, timeout: timeout)
        verifyCertificates = verify
        self.caFile = caFile
    }

    /// The URL with its password hidden, for logs and the admin API.
    public var redacted: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = username.map { "\($0):***@" } ?? ""
        return "\(scheme)://\(user)\(host):\(port)"
    }
}

/// A configuration value that cannot be used, with what to do about it.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
