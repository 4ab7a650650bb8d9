import Foundation

/// Reads whole UTF-8 text files, telling a missing file apart from an unreadable one.
enum TextFile {
    /// Returns the file's text, or nil when no file exists at `url`.
    static func read(_ url: URL) throws -> String? {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        } catch {
            throw SiteError("cannot read file: \(error.localizedDescription)", file: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SiteError("file is not valid UTF-8", file: url.path)
        }
        return text
    }
}
