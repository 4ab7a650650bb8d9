// Fuzz target "pq": post-quantum (mlkem768x25519) and tag (p256tag) keys and stanzas. The first
// byte picks the mode: key strings (age1pq1…, AGE-SECRET-KEY-PQ-1…, age1tag1…), which must re-encode
// to strings that parse back to the same key, or a whole age file (binary or armored) decrypted with
// the CCTV testkit's post-quantum identity, so hostile mlkem768x25519 stanzas reach the HPKE code.
import AgeFormat
import SecureIO

/// The identity the CCTV testkit's hybrid vectors are encrypted to (public test data); the seeds
/// in Fuzz/seeds/pq are those vectors' bodies.
let testkitIdentity = "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG"

let decryptor = Decryptor(identities: [try! MLKEM768X25519Identity(testkitIdentity)],
                          stream: PayloadStream(chunksPerBatch: 2, parallelism: 1))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    if mode & 1 == 0 {
        let text = String(decoding: rest, as: UTF8.self)
        if let recipient = try? MLKEM768X25519Recipient(text) {
            precondition((try? MLKEM768X25519Recipient(recipient.encoded)) == recipient, "PQ recipient round trip changed the key")
        }
        if let identity = try? MLKEM768X25519Identity(text) {
            precondition((try? MLKEM768X25519Identity(identity.secretKeyString))?.hybridRecipient == identity.hybridRecipient,
                         "PQ identity round trip changed the key")
        }
        if let recipient = try? P256TagRecipient(text) {
            precondition((try? P256TagRecipient(recipient.encoded)) == recipient, "tag recipient round trip changed the key")
        }
    } else {
        var sink = ArraySink()
        _ = try? decryptor.decrypt(from: ArraySource(rest), to: &sink, armor: .detect)
    }
    return 0
}
