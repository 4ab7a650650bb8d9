extension IniFile {
    /// One `key = value` entry with the line its key is on.
    public struct Entry: Equatable, Sendable {
        /// The key, trimmed and lowercased.
        public let key: String
        /// The value, trimmed, with continuation lines joined by "\n".
        public let value: String
        /// The 1-based line number of the key.
        public let line: Int

        /// Creates an entry; used by the parser and by tests.
        public init(key: String, value: String, line: Int) {
            self.key = key
            self.value = value
            self.line = line
        }
    }

    /// One `[name]` section with its entries in file order.
    public struct Section: Equatable, Sendable {
        /// The section name, trimmed, case kept.
        public let name: String
        /// The 1-based line number of the header.
        public let line: Int
        /// The entries in file order.
        public let entries: [Entry]

        /// Creates a section; used by the parser and by tests.
        public init(name: String, line: Int, entries: [Entry]) {
            self.name = name
            self.line = line
            self.entries = entries
        }

        /// The entry for `key` (matched case-insensitively), or nil.
        public func entry(_ key: String) -> Entry? {
            let wanted = key.lowercased()
            return entries.first { $0.key == wanted }
        }

        /// The value for `key` (matched case-insensitively), or nil.
        public subscript(key: String) -> String? {
            entry(key)?.value
        }
    }
}
