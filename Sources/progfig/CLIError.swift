/// A failure of a progfig command, shown to the user as one line: `FILE: message` or `message`.
/// Messages never contain secret material.
struct CLIError: Error, CustomStringConvertible {
    /// What went wrong.
    let message: String
    /// The file the failure concerns, when there is one.
    let file: String?

    /// A failure with a message, optionally about `file`.
    init(_ message: String, file: String? = nil) {
        self.message = message
        self.file = file
    }

    var description: String { file.map { "\($0): \(message)" } ?? message }
}
