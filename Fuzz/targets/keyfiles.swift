// Fuzz target "keyfiles": identity and recipients file parsing. Parsed keys must re-encode to
// strings that parse back to the same key.
import AgeFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = IdentityFile.isEncrypted(bytes)
    if let identities = try? IdentityFile.parse(text, name: "fuzz.txt") {
        for case let identity as X25519Identity in identities {
            guard let again = try? X25519Identity(identity.secretKeyString) else {
                preconditionFailure("re-encoded identity does not parse")
            }
            precondition(again.x25519Recipient == identity.x25519Recipient, "identity round trip changed the key")
        }
    }
    if let recipients = try? RecipientsFile.parse(text, name: "fuzz.txt") {
        for recipient in recipients {
            guard let again = try? AgeKeys.recipient(recipient.encoded) else {
                preconditionFailure("re-encoded recipient does not parse: \(recipient.encoded)")
            }
            precondition(again.encoded == recipient.encoded, "recipient round trip changed the key")
        }
    }
    return 0
}
