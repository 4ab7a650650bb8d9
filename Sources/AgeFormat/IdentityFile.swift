import Foundation

/// age identity files: one `AGE-SECRET-KEY-1…` per line, `#` comments and blank lines ignored.
/// A file that is itself an age file (binary or armored, scrypt-encrypted) is a
/// passphrase-protected identity file: it is decrypted first, then parsed.
public enum IdentityFile {
    /// Parses identity file text. `name` (usually the path) appears in errors with the line number;
    /// errors never quote key material.
    public static func parse(_ text: String, name: String) throws -> [any Identity] {
        try AgeKeys.identities(in: text, name: name)
    }

    /// True when `bytes` is an age file rather than identity text.
    public static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: Header.versionLine.dropLast()) || bytes.drop(while: Armor.isWhitespace).starts(with: Armor.beginLine)
    }

    /// Parses identity file contents, decrypting them first with a passphrase asked of `passphrase`
    /// when they are an scrypt-encrypted age file.
    public static func parse(contents: [UInt8], name: String, passphrase: () throws -> String) throws -> [any Identity] {
        guard isEncrypted(contents) else { return try parse(String(decoding: contents, as: UTF8.self), name: name) }
        let decryptor = Decryptor(identities: [ScryptIdentity(passphrase: try passphrase())])
        var plaintext: [UInt8]
        do { plaintext = try decryptor.decrypt(contents) } catch let error as AgeError {
            let reason = error.kind == .noMatch ? "wrong passphrase" : error.message
            throw AgeError(error.kind == .noMatch ? .noMatch : error.kind,
                           "\(name): cannot decrypt the passphrase-protected identity file: \(reason)")
        }
        defer { Sodium.wipe(&plaintext) }
        return try parse(String(decoding: plaintext, as: UTF8.self), name: name)
    }

    /// A warning when the identity file at `path`, whose `contents` the caller already read, is
    /// readable or writable by group or others, as ssh warns about private keys; nil when it is
    /// private, passphrase-encrypted, or cannot be inspected. The file is not read again.
    public static func permissionWarning(path: String, contents: [UInt8]) -> String? {
        guard !isEncrypted(contents),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value,
              (attributes[.type] as? FileAttributeType) == .typeRegular, mode & 0o077 != 0 else { return nil }
        return "\(path) holds secret keys but is accessible by others (mode \(String(mode & 0o777, radix: 8))); run chmod 600 \(path)"
    }

    /// Reads and parses the identity file at `path` ("-" is not special here), reading it once;
    /// `warn` is told when the file is accessible by others.
    public static func load(path: String, passphrase: () throws -> String,
                            warn: (String) -> Void = { _ in }) throws -> [any Identity] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgeError(.io, "cannot read identity file \(path)")
        }
        var bytes = [UInt8](data)
        defer { Sodium.wipe(&bytes) }
        if let warning = permissionWarning(path: path, contents: bytes) { warn(warning) }
        return try parse(contents: bytes, name: path, passphrase: passphrase)
    }
}
