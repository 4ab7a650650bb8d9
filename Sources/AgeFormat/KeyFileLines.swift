/// The line format identity and recipients files share: one entry per line (LF or CRLF), `#`
/// comments and blank lines ignored, at least one entry, errors prefixed with `NAME:LINE:`.
enum KeyFileLines {
    static func parse<T>(_ text: String, name: String, what: String, entry: (String) throws(AgeError) -> T) throws -> [T] {
        var entries: [T] = []
        // Split on LF bytes (a CR before an LF belongs to the line ending), not on Characters.
        let lines = text.utf8.split(separator: 0x0a, omittingEmptySubsequences: false)
        for (i, var line) in lines.enumerated() {
            if i < lines.count - 1 && line.last == 0x0d { line = line.dropLast() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            do { entries.append(try entry(String(Substring(line)))) } catch {
                throw AgeError(error.kind, "\(name):\(i + 1): \(error.message)")
            }
        }
        guard !entries.isEmpty else { throw AgeError.key("\(name): no \(what) found") }
        return entries
    }
}
