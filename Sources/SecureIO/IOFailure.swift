#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error of SecureIO: a failed system call or a refused file operation, naming the path
/// (or stream) it concerns. `description` is the line a user sees: `PATH: message`, or `message`
/// when the message names its stream itself ("cannot read standard input: …").
public struct IOFailure: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path the failure concerns, when there is one.
    public let path: String?
    /// What went wrong, without the path.
    public let message: String
    /// The system error number, when a system call failed.
    public let code: Int32?

    /// A refused operation or a failure described in words.
    public init(_ message: String, path: String? = nil, code: Int32? = nil) {
        self.message = message
        self.path = path
        self.code = code
    }

    /// A failed system call: `message`, then the system's reason for `code` (errno by default).
    public static func system(_ message: String, path: String? = nil, code: Int32 = errno) -> IOFailure {
        IOFailure("\(message): \(String(cString: strerror(code)))", path: path, code: code)
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
