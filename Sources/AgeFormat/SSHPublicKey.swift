/// OpenSSH public keys as `.pub`, `authorized_keys` and GitHub `.keys` files hold them:
/// `TYPE BASE64 [COMMENT]`, the base64 being the SSH wire encoding of the key.
enum SSHPublicKey {
    /// The key types age encrypts to.
    static let supportedTypes: Set<String> = [SSHEd25519Recipient.keyType, SSHRSARecipient.keyType]

    /// The SSH public key types OpenSSH writes, supported here or not.
    static let knownTypes: Set<String> = supportedTypes.union([
        "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ])

    /// The `TYPE BASE64 [COMMENT]` part of an `authorized_keys` line, after any options (which
    /// may hold quoted spaces); nil when the line is not an SSH public key line.
    static func keyPart(ofAuthorizedKey line: Substring) -> Substring? {
        // Every delimiter is ASCII, so the line is scanned as bytes (an age1pq1… line is 1,900 long).
        let bytes = line.utf8
        @inline(__always) func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        func isKeyType(_ s: Substring) -> Bool {
            let type = s.utf8.prefix(65).prefix { !isBlank($0) }
            guard type.count <= 64 else { return false }  // longer than any key type
            let name = Substring(type)
            return knownTypes.contains(String(name)) || name.hasSuffix("-cert-v01@openssh.com")
        }
        if isKeyType(line) { return line }
        // The first blank outside double quotes (where `\` escapes the next byte) ends the options.
        let firstBlank = { (bytes: UnsafeBufferPointer<UInt8>) -> Int? in
            var inQuotes = false, escaped = false
            for (offset, b) in bytes.enumerated() {
                if escaped {
                    escaped = false
                } else if b == UInt8(ascii: "\\") && inQuotes {
                    escaped = true
                } else if b == UInt8(ascii: "\"") {
                    inQuotes.toggle()
                } else if isBlank(b) && !inQuotes {
                    return offset
                }
            }
            return nil
        }
        guard let offset = bytes.withContiguousStorageIfAvailable(firstBlank) ?? Array(bytes).withUnsafeBufferPointer(firstBlank) else {
            return nil
        }
        let rest = Substring(bytes.dropFirst(offset).drop(while: isBlank))
        return isKeyType(rest) ? rest : nil
    }

    /// `TYPE BASE64` for a wire key (whose first field is its type).
    static func encode(_ wireKey: [UInt8]) -> String {
        var reader = SSHWireReader(wireKey, context: "SSH public key")
        let type = (try? reader.string()).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return type + " " + wireKey.withUnsafeBytes { Sodium.base64Encode($0, padded: true) }
    }

    /// The type and wire key of a `TYPE BASE64 [COMMENT]` line; the type named inside the key
    /// must be the line's. Errors never quote the line.
    static func parse(_ line: Substring) throws(AgeError) -> (type: String, wireKey: [UInt8]) {
        let fields = line.split(maxSplits: 2, omittingEmptySubsequences: true, whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2 else { throw AgeError.key("malformed SSH public key: expected TYPE BASE64 [COMMENT]") }
        let type = String(fields[0])
        guard let wireKey = Array(fields[1].utf8).withUnsafeBytes({ Sodium.base64Decode($0, padded: true) }), !wireKey.isEmpty else {
            throw AgeError.key("malformed \(printable(type)) public key: invalid base64")
        }
        var reader = SSHWireReader(wireKey, context: "SSH public key")
        guard String(decoding: try reader.string(), as: UTF8.self) == type else {
            throw AgeError.key("malformed \(printable(type)) public key: the key inside is of another type")
        }
        return (type, wireKey)
    }

    /// The recipient of a public key line of a supported type.
    static func recipient(_ line: Substring) throws(AgeError) -> any Recipient {
        let (type, wireKey) = try parse(line)
        return try recipient(type: type, wireKey: wireKey)
    }

    /// The recipient of a wire key of a supported type, `type` being the type inside it.
    static func recipient(type: String, wireKey: [UInt8]) throws(AgeError) -> any Recipient {
        switch type {
        case SSHEd25519Recipient.keyType: return try SSHEd25519Recipient(wireKey: wireKey)
        case SSHRSARecipient.keyType: return try SSHRSARecipient(wireKey: wireKey)
        default: throw AgeError.key("unsupported SSH key type \(printable(type)); age encrypts to ssh-ed25519 and ssh-rsa keys")
        }
    }

    /// A key type for messages: itself when it is short and printable, else a placeholder.
    static func printable(_ type: String) -> String {
        type.count <= 40 && type.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) ? type : "(unprintable)"
    }
}
