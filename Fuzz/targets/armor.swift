// Fuzz target "armor": decrypts input that must be ASCII-armored, with a fixed X25519 identity,
// through the streaming ArmorSource -> BufferedSource -> header -> STREAM path.
import AgeFormat

// Test-only key generated once for fuzzing (age-keygen); its recipient is FuzzKeys.recipient.
enum FuzzKeys {
    static let identity = "AGE-SECRET-KEY-17F66SAWRREM0YL9GTYQX0KJMGCFNDUAMGM6HQE97YNV07M8Q4DFS04JSZP"
    static let recipient = "age1kmull70dv3tsy6r86rdyeup6l2xj0d9a94hh2uyqhv70a78feyksnqun43"
}

let decryptor: Decryptor = {
    let identity = try! X25519Identity(FuzzKeys.identity)
    precondition(identity.x25519Recipient.encoded == FuzzKeys.recipient)
    // Serial STREAM with small batches: deterministic and cheap per input.
    return Decryptor(identities: [identity], stream: PayloadStream(chunksPerBatch: 2, parallelism: 1))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var sink = ArraySink()
    _ = try? decryptor.decrypt(from: ArraySource(bytes), to: &sink, armor: .required)
    return 0
}
