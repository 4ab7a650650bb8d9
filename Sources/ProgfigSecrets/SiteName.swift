/// Checks node and group names that become file names under the site (nodes/NAME.conf and friends).
enum SiteName {
    /// Throws unless `name` is a plain file name: non-empty, no "/" or NUL, and not starting with ".".
    static func check(_ name: String, kind: String, file: String? = nil, line: Int? = nil) throws {
        guard !name.isEmpty, !name.hasPrefix("."), !name.utf8.contains(UInt8(ascii: "/")), !name.utf8.contains(0) else {
            throw SiteError("invalid \(kind) name \(quoted(name)): must be non-empty, not start with '.', and contain no '/'", file: file, line: line)
        }
    }
}
