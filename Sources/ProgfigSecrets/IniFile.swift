import Foundation

/// An INI file read as Python's `ConfigParser()` with its defaults reads it, which is how the
/// original reads inventory.conf (and how progfig reads nodes/NAME.conf).
///
/// Rules, as configparser's: `[section]` headers (names case-sensitive, everything between the
/// first `[` and the last `]`, text after that ignored); `key = value` or `key: value` lines (the
/// first delimiter wins; keys lowercased); `#` and `;` full-line comments; a line indented more
/// than its key line continues the value, also after blank lines (kept as empty lines; trailing
/// ones trimmed); `[DEFAULT]` values appear in every section; values are interpolated on reading
/// (`%(name)s` from the same section or DEFAULT, `%%` for `%`). Duplicate sections or keys, keys
/// before any section and any other line are errors naming the file and line.
public struct IniFile: Equatable, Sendable {
    /// The path shown in error messages.
    public let path: String
    /// The sections in file order, without DEFAULT, with their raw (uninterpolated) values.
    public let rawSections: [Section]
    /// The `[DEFAULT]` entries, raw.
    public let defaults: [Entry]

    /// The name of the section whose values every other section inherits.
    public static let defaultSection = "DEFAULT"

    /// Parses `contents`, naming `path` in errors.
    public init(parsing contents: String, path: String) throws {
        self.path = path
        (rawSections, defaults) = try IniParser(path: path).parse(contents)
    }

    /// Reads and parses the file at `url`; a missing file is an error naming its path.
    public init(contentsOf url: URL) throws {
        guard let text = try TextFile.read(url) else {
            throw SiteError("file not found", file: url.path)
        }
        try self.init(parsing: text, path: url.path)
    }

    /// True when the file has a section named exactly `name` (DEFAULT excepted).
    public func hasSection(_ name: String) -> Bool {
        rawSections.contains { $0.name == name }
    }

    /// The section named exactly `name` as configparser's `items(name)` gives it: DEFAULT's entries
    /// first, then the section's own, every value interpolated; nil when there is no such section.
    /// An interpolation error names the file and the line of the key.
    public func section(_ name: String) throws -> Section? {
        guard let raw = name == Self.defaultSection ? Section(name: name, line: 0, entries: defaults)
                : rawSections.first(where: { $0.name == name }) else { return nil }
        var merged = defaults
        if name != Self.defaultSection {
            var index = Dictionary(defaults.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
            for entry in raw.entries {
                if let i = index[entry.key] { merged[i] = entry } else { index[entry.key] = merged.count; merged.append(entry) }
            }
        }
        let lookup = Dictionary(merged.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        let entries = try merged.map { entry in
            Entry(key: entry.key, value: try Self.interpolate(entry, section: name, lookup: lookup, path: path), line: entry.line)
        }
        return Section(name: name, line: raw.line, entries: entries)
    }

    /// configparser's BasicInterpolation: `%%` is `%`, `%(name)s` is that key's value (itself
    /// interpolated, at most 10 levels deep); any other `%` is an error.
    private static func interpolate(_ entry: Entry, section: String, lookup: [String: String], path: String) throws -> String {
        var result = ""
        func expand(_ text: Substring, depth: Int) throws {
            guard depth <= 10 else {
                throw SiteError("value of \(quoted(entry.key)) in [\(section)] refers to itself too deeply (more than 10 levels of %(...)s)",
                                file: path, line: entry.line)
            }
            var rest = text
            while let percent = rest.firstIndex(of: "%") {
                result += rest[..<percent]
                rest = rest[percent...]
                let next = rest.dropFirst().first
                if next == "%" {
                    result += "%"
                    rest = rest.dropFirst(2)
                } else if next == "(", let close = rest.firstIndex(of: ")"), close > rest.index(rest.startIndex, offsetBy: 2),
                          rest[rest.index(after: close)...].first == "s" {
                    let name = rest[rest.index(rest.startIndex, offsetBy: 2)..<close].lowercased()
                    rest = rest[rest.index(close, offsetBy: 2)...]
                    guard let value = lookup[name] else {
                        throw SiteError("value of \(quoted(entry.key)) in [\(section)] refers to %(\(name))s, which is not in [\(section)] or [DEFAULT]",
                                        file: path, line: entry.line)
                    }
                    if value.contains("%") { try expand(Substring(value), depth: depth + 1) } else { result += value }
                } else {
                    throw SiteError("value of \(quoted(entry.key)) in [\(section)] has a '%' not followed by '%' or '(name)s' (write %% for a literal %)",
                                    file: path, line: entry.line)
                }
            }
            result += rest
        }
        try expand(Substring(entry.value), depth: 1)
        return result
    }

    /// Splits a value into a list on any whitespace, newlines included, as Python's `str.split()`.
    public static func splitList(_ value: String) -> [String] {
        value.unicodeScalars.split(whereSeparator: \.isWhitespaceScalar).map { String(Substring($0)) }
    }
}
