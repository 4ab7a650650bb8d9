import Foundation

/// Recipients files as age reads them (one recipient per line, `#` comments and blank lines
/// ignored), plus SSH public-key lines as `.pub`, GitHub `.keys` and `authorized_keys` files hold
/// them: options before the key are ignored, and keys of types age can't encrypt to are skipped
/// with a warning.
public enum RecipientsFile {
    /// Parses recipients file text; `name` appears in errors and warnings with the line number.
    public static func parse(_ text: String, name: String, warn: (String) -> Void = { _ in }) throws -> [any Recipient] {
        try KeyFileLines.parse(text, name: name, what: "recipients") { (line: String, number: Int) throws(AgeError) -> (any Recipient)? in
            guard let key = SSHPublicKey.keyPart(ofAuthorizedKey: Substring(line)) else { return try AgeKeys.recipient(line) }
            let (type, _) = try SSHPublicKey.parse(key)
            guard SSHPublicKey.supportedTypes.contains(type) else {
                warn("\(name):\(number): ignoring an SSH key of type \(SSHPublicKey.printable(type)), which age can't encrypt to")
                return nil
            }
            return try SSHPublicKey.recipient(key)
        }
    }

    /// Reads and parses the recipients file at `path`.
    public static func load(path: String, warn: (String) -> Void = { _ in }) throws -> [any Recipient] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgeError(.io, "cannot read recipients file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), name: path, warn: warn)
    }
}
