import Foundation

/// An INI file read with Python `configparser` semantics, as inventory and node files are written.
///
/// Rules: `[section]` headers (names case-sensitive); `key = value` or `key: value` lines (the first
/// delimiter wins; keys lowercased); `#` and `;` full-line comments, indented or not; a line indented
/// more than its key line continues the value (joined with "\n"), also after blank lines, which stay
/// in the value as empty lines. Names and values are trimmed. Duplicate sections, duplicate keys in a section, keys before any section and
/// any other line are errors naming the file and line. There is no `DEFAULT` section, no inline
/// comment and no `%` interpolation. Sections and keys keep their order in the file.
public struct IniFile: Equatable, Sendable {
    /// The path shown in error messages.
    public let path: String
    /// The sections in file order.
    public let sections: [Section]

    /// Parses `contents`, naming `path` in errors.
    public init(parsing contents: String, path: String) throws {
        self.path = path
        self.sections = try IniParser(path: path).parse(contents)
    }

    /// Reads and parses the file at `url`; a missing file is an error naming its path.
    public init(contentsOf url: URL) throws {
        guard let text = try TextFile.read(url) else {
            throw SiteError("file not found", file: url.path)
        }
        try self.init(parsing: text, path: url.path)
    }

    /// The section named exactly `name`, or nil when the file has none.
    public func section(_ name: String) -> Section? {
        sections.first { $0.name == name }
    }

    /// Splits a value into a list on any whitespace, newlines included, as list-valued keys are written.
    public static func splitList(_ value: String) -> [String] {
        value.unicodeScalars.split(whereSeparator: \.isWhitespaceScalar).map { String(Substring($0)) }
    }
}
