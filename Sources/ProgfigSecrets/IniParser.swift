import Foundation

/// The line-by-line reader behind `IniFile`, following configparser's `_read` with
/// `ConfigParser()`'s defaults (strict, empty lines in values, `#`/`;` full-line comments only).
struct IniParser {
    let path: String

    private struct OpenSection {
        var name: String
        var line: Int
        var entries: [(key: String, lines: [String], line: Int)] = []
        /// Each key's line, to find duplicates without a scan (inventories are long).
        var keyLines: [String: Int] = [:]
    }

    func parse(_ contents: String) throws -> (sections: [IniFile.Section], defaults: [IniFile.Entry]) {
        var sections: [OpenSection] = []
        var defaults = OpenSection(name: IniFile.defaultSection, line: 0)
        // Which section keys go to: an index into `sections`, -1 for DEFAULT, nil before any header.
        var current: Int?
        var hasOption = false
        var indentLevel = 0
        func append(_ line: String) {
            if current == -1 {
                defaults.entries[defaults.entries.count - 1].lines.append(line)
            } else if let c = current {
                sections[c].entries[sections[c].entries.count - 1].lines.append(line)
            }
        }
        let lines = Self.lines(of: contents)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            if index == lines.count - 1 && rawLine.isEmpty { break }
            let text = String(rawLine.trimmingWhitespace())
            let isComment = text.hasPrefix("#") || text.hasPrefix(";")
            if text.isEmpty || isComment {
                // A blank line belongs to a value that may continue after it; a comment line does not.
                if !isComment && current != nil && hasOption { append("") }
                continue
            }
            let indent = rawLine.unicodeScalars.prefix { $0.isWhitespaceScalar }.count
            if current != nil && hasOption && indent > indentLevel {
                append(text)
                continue
            }
            indentLevel = indent
            if text.hasPrefix("["), let close = text.lastIndex(of: "]"), text.distance(from: text.startIndex, to: close) >= 2 {
                let name = String(text[text.index(after: text.startIndex)..<close])
                if name == IniFile.defaultSection {
                    current = -1
                } else if let first = sections.firstIndex(where: { $0.name == name }) {
                    throw SiteError("duplicate section [\(name)] (first on line \(sections[first].line))", file: path, line: lineNumber)
                } else {
                    sections.append(OpenSection(name: name, line: lineNumber))
                    current = sections.count - 1
                }
                hasOption = false
                continue
            }
            guard let section = current else {
                throw SiteError("expected '[section]' before the first key, found \(quoted(text))", file: path, line: lineNumber)
            }
            guard let delimiter = text.utf8.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") }) else {
                throw SiteError("expected 'key = value' or '[section]', found \(quoted(text))", file: path, line: lineNumber)
            }
            let key = text[..<delimiter].trimmingWhitespace().lowercased()
            let value = String(text[text.index(after: delimiter)...].trimmingWhitespace())
            guard !key.isEmpty else {
                throw SiteError("expected a key name before '\(text[delimiter])'", file: path, line: lineNumber)
            }
            let (sectionName, firstLine) = section == -1 ? (defaults.name, defaults.keyLines[key]) : (sections[section].name, sections[section].keyLines[key])
            if let firstLine {
                throw SiteError("duplicate key \(quoted(key)) in section [\(sectionName)] (first on line \(firstLine))",
                                file: path, line: lineNumber)
            }
            if section == -1 {
                defaults.entries.append((key: key, lines: [value], line: lineNumber))
                defaults.keyLines[key] = lineNumber
            } else {
                sections[section].entries.append((key: key, lines: [value], line: lineNumber))
                sections[section].keyLines[key] = lineNumber
            }
            hasOption = true
        }
        func close(_ section: OpenSection) -> IniFile.Section {
            IniFile.Section(name: section.name, line: section.line, entries: section.entries.map { entry in
                // configparser joins the lines with "\n" and strips only the end.
                let joined = entry.lines.joined(separator: "\n")
                let end = joined.unicodeScalars.lastIndex { !$0.isWhitespaceScalar }.map { joined.unicodeScalars.index(after: $0) } ?? joined.startIndex
                return IniFile.Entry(key: entry.key, value: String(joined[..<end]), line: entry.line)
            })
        }
        return (sections.map(close), close(defaults).entries)
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
