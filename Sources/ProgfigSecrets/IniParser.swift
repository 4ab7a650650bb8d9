import Foundation

/// The line-by-line parser behind `IniFile`; see `IniFile` for the rules it applies.
struct IniParser {
    let path: String

    private struct OpenSection {
        var name: String
        var line: Int
        var entries: [(key: String, lines: [String], line: Int)] = []
    }

    func parse(_ contents: String) throws -> [IniFile.Section] {
        var sections: [OpenSection] = []
        // Indentation of the key line whose value may still be continued.
        var continuedIndent: Int?
        let lines = contents.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let text = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
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
                let name = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else {
                    throw SiteError("expected a section name between '[' and ']'", file: path, line: lineNumber)
                }
                if let first = sections.first(where: { $0.name == name }) {
                    throw SiteError("duplicate section [\(name)] (first on line \(first.line))", file: path, line: lineNumber)
                }
                sections.append(OpenSection(name: name, line: lineNumber))
            } else if let delimiter = text.firstIndex(where: { $0 == "=" || $0 == ":" }) {
                let key = text[..<delimiter].trimmingCharacters(in: .whitespaces).lowercased()
                let value = text[text.index(after: delimiter)...].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else {
                    throw SiteError("expected a key name before '\(text[delimiter])'", file: path, line: lineNumber)
                }
                guard !sections.isEmpty else {
                    throw SiteError("expected '[section]' before the first key, found key \(quoted(key))", file: path, line: lineNumber)
                }
                let last = sections.count - 1
                if let first = sections[last].entries.first(where: { $0.key == key }) {
                    throw SiteError(
                        "duplicate key \(quoted(key)) in section [\(sections[last].name)] (first on line \(first.line))",
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
                        value: entry.lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines),
                        line: entry.line)
                })
        }
    }
}
