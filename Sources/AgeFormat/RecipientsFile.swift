import Foundation

/// age recipients files: one `age1…` per line, `#` comments and blank lines ignored.
public enum RecipientsFile {
    /// Parses recipients file text; `name` appears in errors with the line number.
    public static func parse(_ text: String, name: String) throws -> [any Recipient] {
        try KeyFileLines.parse(text, name: name, what: "recipients", maxLineBytes: KeyFileLines.maxRecipientLineBytes) { (line: String) throws(AgeError) in
            try AgeKeys.recipient(line)
        }
    }

    /// Reads a recipients file from `source` (16 MiB at most, as age); `name` appears in errors.
    public static func read<S: ByteSource>(from source: S, name: String) throws -> [UInt8] {
        try KeyFileLines.read(from: source, name: name, what: "recipients file")
    }

    /// Reads and parses the recipients file at `path`.
    public static func load(path: String) throws -> [any Recipient] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AgeError(.io, "cannot read recipients file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try parse(String(decoding: try read(from: FileDescriptorSource(fd: fd, name: path), name: path), as: UTF8.self), name: path)
    }
}
