import Foundation

/// age recipients files: one `age1…` per line, `#` comments and blank lines ignored.
public enum RecipientsFile {
    /// Parses recipients file text; `name` appears in errors with the line number.
    public static func parse(_ text: String, name: String) throws -> [any Recipient] {
        try KeyFileLines.parse(text, name: name, what: "recipients") { (line: String) throws(AgeError) in
            try AgeKeys.recipient(line)
        }
    }

    /// Reads and parses the recipients file at `path`.
    public static func load(path: String) throws -> [any Recipient] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgeError(.io, "cannot read recipients file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }
}
