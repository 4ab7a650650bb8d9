import Foundation

/// The line-by-line parser behind `IniFile`; see `IniFile` for the rules it applies.
struct IniParser {
    let path: String

    private struct OpenSection {
        var name: String
        var line: Int
        var entries: [(key: String, lines: [String], line: Int)] = []
        /// The line of each key, so a duplicate is found without a search (inventories are long).
        var keyLines: [String: Int] = [:]
    }

    func parse(_ contents: String) throws -> [IniFile.Section] {
        var sections: [OpenSection] = []
        // Indentation of the key line whose value may still be continued.
        var continuedIndent: Int?
        let lines = Self.lines(of: contents)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let text = String(rawLine.trimmingWhitespace())
            if text.isEmpty {
                // As in configparser, a blank line belongs to a value that continues after it;
                // blank lines at the end of a value are trimmed with the rest.
                if continuedIndent != nil {
                    let last = sections.count - 1
                    sections[last].entries[sections[last].entries.count - 1].lines.append("")
                }
                continue
            }
            if text.hasPrefix("#") || text.hasPrefix(";") {
                continue
            }
            let indent = rawLine.prefix { $0 == " " || $0 == "\t" }.count
            if let keyIndent = continuedIndent, indent > keyIndent {
                let last = sections.count - 1
                sections[last].entries[sections[last].entries.count - 1].lines.append(text)
                continue
            }
            continuedIndent = nil
            if text.hasPrefix("[") && text.hasSuffix("]") && text.count >= 2 {
                let name = String(text.dropFirst().dropLast().trimmingWhitespace())
                guard !name.isEmpty else {
                    throw SiteError("expected a section name between '[' and ']'", file: path, line: lineNumber)
                }
                if let first = sections.first(where: { $0.name == name }) {
                    throw SiteError("duplicate section [\(name)] (first on line \(first.line))", file: path, line: lineNumber)
                }
                sections.append(OpenSection(name: name, line: lineNumber))
            } else if let delimiter = text.utf8.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") }) {
                let key = text[..<delimiter].trimmingWhitespace().lowercased()
                let value = String(text[text.index(after: delimiter)...].trimmingWhitespace())
                guard !key.isEmpty else {
                    throw SiteError("expected a key name before '\(text[delimiter])'", file: path, line: lineNumber)
                }
                guard !sections.isEmpty else {
                    throw SiteError("expected '[section]' before the first key, found key \(quoted(key))", file: path, line: lineNumber)
                }
                let last = sections.count - 1
                if let first = sections[last].keyLines.updateValue(lineNumber, forKey: key) {
                    throw SiteError(
                        "duplicate key \(quoted(key)) in section [\(sections[last].name)] (first on line \(first))",
                        file: path, line: lineNumber)
                }
                sections[last].entries.append((key: key, lines: [value], line: lineNumber))
                continuedIndent = indent
            } else {
                throw SiteError("expected 'key = value' or '[section]', found \(quoted(text))", file: path, line: lineNumber)
            }
        }
        return sections.map { section in
            IniFile.Section(
                name: section.name, line: section.line,
                entries: section.entries.map { entry in
                    IniFile.Entry(
                        key: entry.key,
                        value: String(entry.lines.joined(separator: "\n").trimmingWhitespace()),
                        line: entry.line)
                })
        }
    }

    /// The lines of `contents`, split at LF, CRLF and CR (on bytes: inventories are long).
    private static func lines(of contents: String) -> [Substring] {
        var lines: [Substring] = []
        let bytes = contents.utf8
        var start = bytes.startIndex
        var i = start
        while i < bytes.endIndex {
            let byte = bytes[i]
            guard byte == 0x0a || byte == 0x0d else {
                i = bytes.index(after: i)
                continue
            }
            lines.append(contents[start..<i])
            i = bytes.index(after: i)
            if byte == 0x0d, i < bytes.endIndex, bytes[i] == 0x0a { i = bytes.index(after: i) }
            start = i
        }
        lines.append(contents[start...])
        return lines
    }
}

extension StringProtocol {
    /// The text without leading and trailing Unicode whitespace (Python's `str.strip()`), judged
    /// scalar by scalar with an ASCII fast path; Foundation's trimming was most of the time spent
    /// reading a 10,000-node inventory.
    func trimmingWhitespace() -> Substring {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespaceScalar }),
              let last = scalars.lastIndex(where: { !$0.isWhitespaceScalar }) else { return Substring() }
        return Substring(scalars[first...last])
    }
}

extension Unicode.Scalar {
    /// True for scalars with the Unicode White_Space property.
    var isWhitespaceScalar: Bool {
        value < 0x80 ? value == 0x20 || (0x09...0x0d).contains(value) : properties.isWhitespace
    }
}
