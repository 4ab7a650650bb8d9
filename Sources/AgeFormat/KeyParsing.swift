/// The one place keys are recognized, by prefix or format: each key type adds one case here and
/// its own file. Above AgeFormat, keys are held as `any Recipient` / `any Identity`.
public enum AgeKeys {
    /// A recipient from its public encoding (`age1…`, `ssh-ed25519 AAAA…`, `ssh-rsa AAAA…`, an
    /// SSH key's comment allowed). Errors never quote secret keys.
    public static func recipient(_ string: String) throws(AgeError) -> any Recipient {
        if string.hasPrefix("ssh-") { return try SSHPublicKey.recipient(Substring(string)) }
        // Native types with an age1XXX1 prefix come before plugins, whose recipients look alike.
        if string.hasPrefix("age1pq1") { return try MLKEM768X25519Recipient(string) }
        if string.hasPrefix("age1tag1") { return try P256TagRecipient(string) }
        if PluginRecipient.matches(string) { return try PluginRecipient(string) }
        return try X25519Recipient(string)
    }

    /// The fingerprint of an SSH recipient as `ssh-keygen -l` prints it (`SHA256:` and unpadded
    /// base64 of the SHA-256 of the wire key); nil for other recipient types.
    public static func sshFingerprint(of recipient: any Recipient) -> String? {
        guard recipient.encoded.hasPrefix("ssh-"), let (_, wireKey) = try? SSHPublicKey.parse(Substring(recipient.encoded)) else { return nil }
        return "SHA256:" + UnpaddedBase64.encode(Sodium.sha256(wireKey))
    }

    /// The identities in identity file text: an OpenSSH or PEM RSA private key file is one identity;
    /// otherwise one key per line, `#` comments and blank lines ignored. `name` (usually the path)
    /// appears in errors, with the line number. `passphrase` is asked, only when a file to decrypt
    /// is addressed to it, for a passphrase-protected SSH key.
    public static func identities(in text: String, name: String,
                                  passphrase: (@Sendable () throws -> String)? = nil) throws -> [any Identity] {
        let isOpenSSH = OpenSSHPrivateKey.matches(text)
        let isPEMRSA = text.drop(while: { $0.isWhitespace }).hasPrefix("-----BEGIN RSA PRIVATE KEY-----")
        guard !(isOpenSSH || isPEMRSA) || text.utf8.count < KeyFileLines.maxSSHKeyFileBytes else {
            throw AgeError(.limit, "\(name): an SSH private key file is smaller than \(KeyFileLines.maxSSHKeyFileBytes >> 10) KiB; this one is not")
        }
        if isOpenSSH {
            do throws(AgeError) { return [try OpenSSHPrivateKey.identity(text, passphrase: passphrase)] } catch {
                throw AgeError(error.kind, "\(name): \(error.message)")
            }
        }
        if isPEMRSA {
            do throws(AgeError) { return [try SSHRSAIdentity(pem: text)] } catch {
                throw AgeError(error.kind, "\(name): \(error.message)")
            }
        }
        return try KeyFileLines.parse(text, name: name, what: "identities", maxLineBytes: KeyFileLines.maxIdentityLineBytes) { (line: String, _) throws(AgeError) in
            try identity(line: line)
        }
    }

    /// The identity on one line of an identity file.
    static func identity(line: String) throws(AgeError) -> any Identity {
        if PluginIdentity.matches(line) { return try PluginIdentity(line) }
        if line.hasPrefix("ssh-") {
            throw AgeError.key("an SSH public key is not an identity; use its private key file (such as ~/.ssh/id_ed25519)")
        }
        if line.hasPrefix("AGE-SECRET-KEY-PQ-") { return try MLKEM768X25519Identity(line) }
        return try X25519Identity(line)
    }
}
