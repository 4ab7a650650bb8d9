import SecureIO
/// The line format identity and recipients files share: one entry per line (LF, CRLF, or a CR
/// ending the last line, as age reads them), `#`
/// comments and blank lines ignored, at least one entry, errors prefixed with `NAME:LINE:`.
/// `entry` is given each line and its number, and returns nil for a line to skip. Sizes are capped
/// as age caps them: 16 MiB per file, 64 KiB per line (8 KiB per recipient line).
enum KeyFileLines {
    /// The largest identity or recipients file read.
    static let maxFileBytes = 16 << 20
    /// The longest line of an identity file, and of a recipients file, line ending excluded.
    static let maxIdentityLineBytes = 64 << 10
    static let maxRecipientLineBytes = 8 << 10
    /// An OpenSSH private key file must be smaller than this (age's limit for PEM files).
    static let maxSSHKeyFileBytes = 16 << 10

    /// Reads a whole key file from `source`, refusing one larger than `maxFileBytes` as soon as
    /// that is known; `what` ("identity file") and `name` appear in the error.
    static func read<S: ByteSource>(from source: S, name: String, what: String) throws -> [UInt8] {
        var source = source
        return try source.readToEnd(limit: maxFileBytes,
                                    tooLong: AgeError(.limit, "\(name): the \(what) is larger than the limit of \(maxFileBytes >> 20) MiB"))
    }

    /// The entries of `text`, one per line, made by `entry`; `maxLineBytes` caps each line.
    static func parse<T>(_ text: String, name: String, what: String, maxLineBytes: Int,
                         entry: (String, Int) throws(AgeError) -> T?) throws -> [T] {
        var entries: [T] = []
        // Split on LF bytes, not on Characters. A CR before an LF belongs to the line ending, and so
        // does a CR ending the last line without an LF, as age's line scanner reads it.
        let lines = text.utf8.split(separator: 0x0a, omittingEmptySubsequences: false)
        for (i, var line) in lines.enumerated() {
            if line.last == 0x0d { line = line.dropLast() }
            if line.count > maxLineBytes {
                throw AgeError(.limit, "\(name):\(i + 1): the line is longer than the limit of \(maxLineBytes >> 10) KiB")
            }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            do { if let value = try entry(String(Substring(line)), i + 1) { entries.append(value) } } catch {
                throw AgeError(error.kind, "\(name):\(i + 1): \(error.message)")
            }
        }
        guard !entries.isEmpty else { throw AgeError.key("\(name): no \(what) found") }
        return entries
    }
}
