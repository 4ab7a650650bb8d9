import Foundation

/// Reads whole UTF-8 text files, telling a missing file apart from an unreadable one.
enum TextFile {
    /// Returns the file's text, or nil when no file exists at `url`.
    static func read(_ url: URL) throws -> String? {
        guard let bytes = try SiteFiles.read(url) else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SiteError("file is not valid UTF-8", file: url.path)
        }
        return text
    }
}
