// Fuzz target "opensshkey": OpenSSH private key files (openssh-key-v1), armored and binary, and
// PEM RSA keys (parsed by libcrypto).
// Whatever parses must yield an identity whose recipient re-encodes to a public key line that
// parses back to the same key. Encrypted keys are parsed but never decrypted (no passphrase is
// asked without a matching stanza).
@testable import AgeFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let asked: @Sendable () throws -> String = { preconditionFailure("passphrase asked while parsing") }
    var identities: [any Identity] = []
    if let parsed = try? AgeKeys.identities(in: text, name: "fuzz", passphrase: asked) { identities += parsed }
    if let container = try? OpenSSHPrivateKey.parse(binary: bytes) {
        if container.cipher == "none",
           let identity = try? OpenSSHPrivateKey.identity(privateSection: container.privateSection, blockSize: 8, publicKey: container.publicKey) {
            identities.append(identity)
        } else if let identity = try? EncryptedSSHIdentity(container: container, passphrase: asked) {
            identities.append(identity)
        }
    }
    for identity in identities {
        guard let recipient = identity.recipient else { preconditionFailure("an SSH identity without a recipient") }
        guard let again = try? AgeKeys.recipient(recipient.encoded) else {
            preconditionFailure("the recipient of a parsed key does not parse: \(recipient.encoded)")
        }
        precondition(again.encoded == recipient.encoded, "recipient round trip changed the key")
        precondition(try! identity.unwrap(stanzas: []) == nil, "an identity unwrapped nothing")
    }
    return 0
}
