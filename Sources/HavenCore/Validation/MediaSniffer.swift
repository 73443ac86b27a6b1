/// What a customer's file really is, from its first bytes: the type is never taken from its name or the
/// Content-Type a client sent. Customers send screenshots and screen recordings; anything else is refused.
public enum MediaKind: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp, heic, mp4, quicktime, webm

    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .mp4: "video/mp4"
        case .quicktime: "video/quicktime"
        case .webm: "video/webm"
        }
    }

    /// The extensions a file of this kind may have (the first is the usual one).
    public var extensions: [String] {
        switch self {
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg"]
        case .gif: ["gif"]
        case .webp: ["webp"]
        case .heic: ["heic", "heif"]
        case .mp4: ["mp4", "m4v"]
        case .quicktime: ["mov", "qt"]
        case .webm: ["webm"]
        }
    }

    public var description: String {
        switch self {
        case .png: "a PNG image"
        case .jpeg: "a JPEG image"
        case .gif: "a GIF image"
        case .webp: "a WebP image"
        case .heic: "a HEIC image"
        case .mp4: "an MP4 video"
        case .quicktime: "a QuickTime video"
        case .webm: "a WebM video"
        }
    }
}

public enum MediaSniffer {
    /// The kind of file these bytes start, or nil when it is none Haven accepts from customers.
    public static func kind(of bytes: some Collection<UInt8>) -> MediaKind? {
        let head = Array(bytes.prefix(32))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .webm }
        // ISO base media: a box size, then "ftyp" and the major brand.
        if starts(Array("ftyp".utf8), at: 4), head.count >= 12 {
            let brand = String(decoding: head[8..<12], as: UTF8.self)
            if ["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"].contains(brand) { return .heic }
            if brand == "qt  " { return .quicktime }
            return .mp4
        }
        return nil
    }

    /// What a refused file looks like, for the error message ("it looks like a Windows program").
    public static func guess(_ bytes: some Collection<UInt8>) -> String {
        let head = Array(bytes.prefix(8))
        if head.starts(with: [0x4D, 0x5A]) { return "a Windows program" }
        if head.starts(with: [0x7F, 0x45, 0x4C, 0x46]) { return "a Linux program" }
        if head.starts(with: Array("%PDF".utf8)) { return "a PDF document" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive" }
        if head.starts(with: Array("#!".utf8)) { return "a script" }
        if head.starts(with: Array("<".utf8)) { return "HTML or XML" }
        return "a file of unknown type"
    }

    /// The file accepted as what its bytes say, or why not: its bytes must be an image or video Haven accepts, and
    /// its name's extension must match them (a PNG named ".exe" is refused, and so is a program named ".png").
    public static func check(_ bytes: some Collection<UInt8>, filename: String) throws(DomainError) -> MediaKind {
        let ext = filename.split(separator: ".", omittingEmptySubsequences: false).count > 1
            ? String(filename.split(separator: ".", omittingEmptySubsequences: false).last!).lowercased() : ""
        guard let kind = kind(of: bytes) else {
            let accepted = MediaKind.allCases.map { $0.extensions[0].uppercased() }.joined(separator: ", ")
            throw .invalid([FieldProblem(
                field: "file", problem: "'\(filename)' looks like \(guess(bytes)). Send a screenshot or screen recording (\(accepted)).")])
        }
        guard kind.extensions.contains(ext) else {
            throw .invalid([FieldProblem(
                field: "filename", problem: "'\(filename)' is \(kind.description) but its name ends in '.\(ext)'; name it .\(kind.extensions[0]).")])
        }
        return kind
    }
}
