/// The one place keys are recognized, by prefix or format: each key type adds one case here and
/// its own file. Above AgeFormat, keys are held as `any Recipient` / `any Identity`.
public enum AgeKeys {
    /// A recipient from its public encoding (`age1…`). Errors never quote secret keys.
    public static func recipient(_ string: String) throws(AgeError) -> any Recipient {
        if string.hasPrefix("ssh-") { throw AgeError.key("SSH recipients are not supported") }
        if string.hasPrefix("age1") && string.count > 62 {
            throw AgeError.key("plugin and post-quantum recipients are not supported")
        }
        return try X25519Recipient(string)
    }

    /// The identities in identity file text: one key per line, `#` comments and blank lines
    /// ignored. `name` (usually the path) appears in errors with the line number.
    public static func identities(in text: String, name: String) throws -> [any Identity] {
        try KeyFileLines.parse(text, name: name, what: "identities") { (line: String) throws(AgeError) in
            try identity(line: line)
        }
    }

    /// The identity on one line of an identity file.
    static func identity(line: String) throws(AgeError) -> any Identity {
        if line.hasPrefix("AGE-PLUGIN-") { throw AgeError.key("age plugins are not supported") }
        if line.hasPrefix("-----BEGIN OPENSSH") || line.hasPrefix("ssh-") { throw AgeError.key("SSH keys are not supported") }
        return try X25519Identity(line)
    }
}
