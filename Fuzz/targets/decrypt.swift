// Fuzz target "decrypt": whole-file decryption (binary or armored, detected) with a fixed X25519
// identity, the CCTV testkit's main X25519 identity, and a passphrase identity capped at scrypt
// work factor 2 so that hostile work factors are refused quickly.
import AgeFormat

// Test-only keys. FuzzKeys.identity was generated once for fuzzing (age-keygen); the seeds in
// Fuzz/seeds/decrypt were encrypted to FuzzKeys.recipient, or with FuzzKeys.passphrase at work factor 1 or 2.
enum FuzzKeys {
    static let identity = "AGE-SECRET-KEY-17F66SAWRREM0YL9GTYQX0KJMGCFNDUAMGM6HQE97YNV07M8Q4DFS04JSZP"
    static let recipient = "age1kmull70dv3tsy6r86rdyeup6l2xj0d9a94hh2uyqhv70a78feyksnqun43"
    /// The identity most CCTV testkit vectors are encrypted to (public test data).
    static let testkitIdentity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
    static let passphrase = "password"
}

let decryptor: Decryptor = {
    let identity = try! X25519Identity(FuzzKeys.identity)
    precondition(identity.x25519Recipient.encoded == FuzzKeys.recipient)
    let identities: [any Identity] = [
        identity,
        try! X25519Identity(FuzzKeys.testkitIdentity),
        ScryptIdentity(passphrase: FuzzKeys.passphrase, maxWorkFactor: 2),
    ]
    // Serial STREAM with small batches: deterministic and cheap per input.
    return Decryptor(identities: identities, stream: PayloadStream(chunksPerBatch: 2, parallelism: 1))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var sink = ArraySink()
    _ = try? decryptor.decrypt(from: ArraySource(bytes), to: &sink, armor: .detect)
    return 0
}
