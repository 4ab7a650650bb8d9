/// An error about a progfiguration site: its files, inventory, nodes, groups or secrets.
///
/// The message is one line; `description` prefixes it with the file and line it concerns,
/// as `FILE:LINE: message`, `FILE: message` or just `message`. Messages never carry secret values.
public struct SiteError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, without the location prefix.
    public let message: String
    /// The path of the file the error concerns, when there is one.
    public let file: String?
    /// The 1-based line number within `file`, when the error concerns one line.
    public let line: Int?
    /// The 1-based column within `line`, when the error concerns one construct (site modules).
    public let column: Int?

    /// Creates an error with a message and an optional file path, line and column.
    public init(_ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// The one-line message with its location: `FILE:LINE:COLUMN: message`, `FILE:LINE: message`,
    /// `FILE: message` or `message`.
    public var description: String {
        switch (file, line) {
        case let (file?, line?) where column != nil: return "\(file):\(line):\(column!): \(message)"
        case let (file?, line?): return "\(file):\(line): \(message)"
        case let (file?, nil): return "\(file): \(message)"
        default: return message
        }
    }
}
