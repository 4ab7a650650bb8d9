import Foundation

/// The line-by-line reader behind `IniFile`, following configparser's `_read` with
/// `ConfigParser()`'s defaults (strict, empty lines in values, `#`/`;` full-line comments only).
struct IniParser {
    let path: String

    private struct OpenSection {
        var name: String
        var line: Int
        var entries: [(key: String, lines: [String], line: Int)] = []
        /// Each key's line, to find duplicates without a scan.
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
        let lines = contents.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            if index == lines.count - 1 && rawLine.isEmpty { break }
            let text = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            let isComment = text.hasPrefix("#") || text.hasPrefix(";")
            if text.isEmpty || isComment {
                // A blank line belongs to a value that may continue after it; a comment line does not.
                if !isComment && current != nil && hasOption { append("") }
                continue
            }
            let indent = rawLine.prefix { $0.isWhitespace }.count
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
            guard let delimiter = text.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw SiteError("expected 'key = value' or '[section]', found \(quoted(text))", file: path, line: lineNumber)
            }
            let key = String(text[..<delimiter].reversed().drop(while: \.isWhitespace).reversed()).lowercased()
            let value = text[text.index(after: delimiter)...].trimmingCharacters(in: .whitespacesAndNewlines)
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
                let end = joined.lastIndex { !$0.isWhitespace }.map { joined.index(after: $0) } ?? joined.startIndex
                return IniFile.Entry(key: entry.key, value: String(joined[..<end]), line: entry.line)
            })
        }
        return (sections.map(close), close(defaults).entries)
    }
}
