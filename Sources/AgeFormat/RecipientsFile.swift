import Foundation
import SecureIO

/// Recipients files as age reads them (one recipient per line, `#` comments and blank lines
/// ignored), plus SSH public-key lines as `.pub`, GitHub `.keys` and `authorized_keys` files hold
/// them: options before the key are ignored, and keys of types age can't encrypt to are skipped
/// with a warning.
public enum RecipientsFile {
    /// Parses recipients file text; `name` appears in errors and warnings with the line number.
    public static func parse(_ text: String, name: String, warn: (String) -> Void = { _ in }) throws -> [any Recipient] {
        try KeyFileLines.parse(text, name: name, what: "recipients", maxLineBytes: KeyFileLines.maxRecipientLineBytes) { (line: String, number: Int) throws(AgeError) -> (any Recipient)? in
            guard let key = SSHPublicKey.keyPart(ofAuthorizedKey: Substring(line)) else { return try AgeKeys.recipient(line) }
            let (type, _) = try SSHPublicKey.parse(key)
            guard SSHPublicKey.supportedTypes.contains(type) else {
                warn("\(name):\(number): ignoring an SSH key of type \(SSHPublicKey.printable(type)), which age can't encrypt to")
                return nil
            }
            return try SSHPublicKey.recipient(key)
        }
    }

    /// Reads a recipients file from `source` (16 MiB at most, as age); `name` appears in errors.
    public static func read<S: ByteSource>(from source: S, name: String) throws -> [UInt8] {
        try KeyFileLines.read(from: source, name: name, what: "recipients file")
    }

    /// Reads and parses the recipients file at `path`.
    public static func load(path: String, warn: (String) -> Void = { _ in }) throws -> [any Recipient] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.system("cannot read recipients file", path: path) }
        defer { close(fd) }
        return try parse(String(decoding: try read(from: FileDescriptorSource(fd: fd, name: path), name: path), as: UTF8.self),
                         name: path, warn: warn)
    }
}
