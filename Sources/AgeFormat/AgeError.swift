/// The single error type of AgeFormat. `kind` maps onto the CCTV testkit's failure classes;
/// `message` tells the user what went wrong and, where possible, what to do.
public struct AgeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What class of failure this is.
    public enum Kind: String, Sendable {
        /// The header is malformed, unsupported, or a stanza is invalid (testkit: "header failure").
        case header
        /// No identity unwrapped the file key (testkit: "no match").
        case noMatch
        /// The header MAC did not verify (testkit: "HMAC failure").
        case hmac
        /// The payload is truncated, corrupted or malformed (testkit: "payload failure").
        case payload
        /// The ASCII armor is malformed (testkit: "armor failure").
        case armor
        /// A key, recipient or identity string or file could not be parsed.
        case key
        /// A configured resource limit was exceeded.
        case limit
        /// The caller asked for something the format does not allow.
        case usage
        /// An age plugin is missing, failed, reported an error, or broke the plugin protocol.
        case plugin
    }

    /// The failure class.
    public let kind: Kind
    /// A one-line, human-readable explanation that never contains secret material.
    public let message: String

    /// Makes an error of the given class.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func header(_ m: String) -> AgeError { AgeError(.header, m) }
    static func payload(_ m: String) -> AgeError { AgeError(.payload, m) }
    static func armor(_ m: String) -> AgeError { AgeError(.armor, m) }
    static func key(_ m: String) -> AgeError { AgeError(.key, m) }
}
