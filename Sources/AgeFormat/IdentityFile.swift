import Foundation
import SecureIO

/// age identity files: one `AGE-SECRET-KEY-1…` per line, `#` comments and blank lines ignored;
/// or an OpenSSH private key file.
/// A file that is itself an age file (binary or armored, scrypt-encrypted) is a
/// passphrase-protected identity file: it is decrypted first, then parsed.
public enum IdentityFile {
    /// Parses identity file text. `name` (usually the path) appears in errors with the line number;
    /// errors never quote key material.
    /// `sshPassphrase` is asked, when a file is addressed to it, for a passphrase-protected SSH key.
    public static func parse(_ text: String, name: String, sshPassphrase: (@Sendable () throws -> String)? = nil) throws -> [any Identity] {
        try AgeKeys.identities(in: text, name: name, passphrase: sshPassphrase)
    }

    /// True when `bytes` is an age file rather than identity text.
    public static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: Header.versionLine.dropLast()) || bytes.drop(while: Armor.isWhitespace).starts(with: Armor.beginLine)
    }

    /// Parses identity file contents, decrypting them first with a passphrase asked of `passphrase`
    /// when they are an scrypt-encrypted age file.
    public static func parse(contents: [UInt8], name: String, passphrase: () throws -> String,
                             sshPassphrase: (@Sendable () throws -> String)? = nil) throws -> [any Identity] {
        guard isEncrypted(contents) else { return try parse(String(decoding: contents, as: UTF8.self), name: name, sshPassphrase: sshPassphrase) }
        let decryptor = Decryptor(identities: [ScryptIdentity(passphrase: try passphrase())])
        var plaintext: [UInt8]
        do { plaintext = try decryptor.decrypt(contents) } catch let error as AgeError {
            let reason = error.kind == .noMatch ? "wrong passphrase" : error.message
            throw AgeError(error.kind == .noMatch ? .noMatch : error.kind,
                           "\(name): cannot decrypt the passphrase-protected identity file: \(reason)")
        }
        defer { SecureBytes.wipe(&plaintext) }
        return try parse(String(decoding: plaintext, as: UTF8.self), name: name)
    }

    /// A warning when the identity file at `path` (through any symlinks), whose `contents` the
    /// caller already read, is readable or writable by group or others, as ssh warns about private
    /// keys; nil when it is private, passphrase-encrypted, or cannot be inspected. The file is not
    /// read again.
    public static func permissionWarning(path: String, contents: [UInt8]) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return permissionWarning(info, name: path, contents: contents)
    }

    /// The same warning for the open file `descriptor` was read from: `path`, or standard input
    /// (nil) when it is a regular file, as with `-i - < key.txt`.
    public static func permissionWarning(descriptor: Int32, path: String?, contents: [UInt8]) -> String? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return permissionWarning(info, name: path, contents: contents)
    }

    private static func permissionWarning(_ info: stat, name: String?, contents: [UInt8]) -> String? {
        guard info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o077 != 0, !isEncrypted(contents) else { return nil }
        let mode = String(info.st_mode & 0o777, radix: 8)
        guard let name else {
            return "standard input is a file that holds secret keys but is accessible by others (mode \(mode)); run chmod 600 on it"
        }
        return "\(name) holds secret keys but is accessible by others (mode \(mode)); run chmod 600 \(name)"
    }

    /// The largest identity file read: 16 MiB, as age.
    public static let maxFileBytes = KeyFileLines.maxFileBytes

    /// Reads an identity file from `source` (16 MiB at most, as age); `name` appears in errors.
    public static func read<S: ByteSource>(from source: S, name: String) throws -> [UInt8] {
        try KeyFileLines.read(from: source, name: name, what: "identity file")
    }

    /// Reads and parses the identity file at `path` ("-" is not special here), reading it once;
    /// `warn` is told when the file is accessible by others.
    public static func load(path: String, passphrase: () throws -> String, sshPassphrase: (@Sendable () throws -> String)? = nil,
                            warn: (String) -> Void = { _ in }) throws -> [any Identity] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.system("cannot read identity file", path: path) }
        defer { close(fd) }
        var bytes = try read(from: FileDescriptorSource(fd: fd, name: path), name: path)
        defer { SecureBytes.wipe(&bytes) }
        if let warning = permissionWarning(descriptor: fd, path: path, contents: bytes) { warn(warning) }
        return try parse(contents: bytes, name: path, passphrase: passphrase, sshPassphrase: sshPassphrase)
    }
}
