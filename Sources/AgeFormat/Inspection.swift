import SecureIO
/// What an age file reveals without being decrypted: its encoding, its recipient stanzas and how
/// its size splits into header, armor, encryption overhead and payload (as age-inspect reports).
public struct Inspection: Sendable {
    /// Whether the recipient stanzas resist a quantum attacker.
    public enum PostQuantum: String, Sendable {
        /// Every known stanza type is post-quantum (ML-KEM hybrids, scrypt).
        case yes
        /// At least one stanza type is classic (X25519, SSH, P-256).
        case no
        /// No stanza type is known (plugin stanzas only).
        case unknown
    }

    /// Stanza types whose file key a quantum attacker could recover.
    static let classicTypes: Set<String> = ["X25519", "ssh-rsa", "ssh-ed25519", "age-encryption.org/p256tag", "piv-p256"]
    /// Stanza types that stay secure against a quantum attacker.
    static let postQuantumTypes: Set<String> = ["mlkem768x25519", "scrypt", "age-encryption.org/mlkem768p256tag"]

    /// Whether the file is ASCII-armored.
    public let armored: Bool
    /// The header, as parsed.
    public let header: Header
    /// The header's size in bytes, up to and including the MAC line.
    public let headerSize: Int
    /// Bytes the armor adds to the binary file (0 when not armored).
    public let armorSize: Int
    /// Bytes encryption adds to the plaintext: the payload nonce and one tag per 64 KiB chunk.
    public let overheadSize: Int
    /// The plaintext's size, if the file decrypts.
    public let payloadSize: Int

    /// The stanza types in header order.
    public var stanzaTypes: [String] { header.stanzas.map(\.type) }

    /// The file's total size: header, armor, overhead and payload.
    public var totalSize: Int { headerSize + armorSize + overheadSize + payloadSize }

    /// Each stanza type with how many stanzas of it the header holds, in order of first appearance.
    public var stanzaCounts: [(type: String, count: Int)] {
        var counts: [(type: String, count: Int)] = []
        for type in stanzaTypes {
            if let i = counts.firstIndex(where: { $0.type == type }) { counts[i].count += 1 } else { counts.append((type, 1)) }
        }
        return counts
    }

    /// Whether the file is post-quantum: no if any stanza is classic, yes if any is post-quantum.
    public var postQuantum: PostQuantum {
        let types = Set(stanzaTypes)
        if !types.isDisjoint(with: Self.classicTypes) { return .no }
        return types.isDisjoint(with: Self.postQuantumTypes) ? .unknown : .yes
    }

    /// Reads an age file (binary or armored) from `source` to its end, parsing the header and
    /// counting the rest; nothing is decrypted. Throws for a malformed header or armor, or a
    /// payload too short to hold the nonce (header) and one chunk's tag (payload).
    public static func inspect<S: ByteSource>(_ source: S, limits: Limits = .default) throws -> Inspection {
        let counter = ByteCounter()
        var raw = BufferedSource(CountingSource(base: source, counter: counter))
        if try raw.looksArmored() {
            var inner = BufferedSource(ArmorSource(raw))
            return try inspect(binary: &inner, armored: true, rawCount: counter, limits: limits)
        }
        return try inspect(binary: &raw, armored: false, rawCount: counter, limits: limits)
    }

    /// Inspects an in-memory age file, binary or armored.
    public static func inspect(_ file: [UInt8], limits: Limits = .default) throws -> Inspection {
        try inspect(ArraySource(file), limits: limits)
    }

    private static func inspect<S: ByteSource>(binary source: inout BufferedSource<S>, armored: Bool, rawCount: ByteCounter,
                                               limits: Limits) throws -> Inspection {
        let header = try Header.parse(from: &source, limits: limits)
        let headerSize = header.encoded().count
        var rest = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            rest += n
        }
        let overhead = try streamOverhead(encryptedSize: rest)
        return Inspection(armored: armored, header: header, headerSize: headerSize,
                          armorSize: armored ? rawCount.count - headerSize - rest : 0,
                          overheadSize: overhead, payloadSize: rest - overhead)
    }

    /// The nonce and chunk tags in `encryptedSize` bytes of payload: every chunk but the last is
    /// full, and the last is non-empty unless it is the only one.
    static func streamOverhead(encryptedSize: Int) throws -> Int {
        let nonce = PayloadStream.nonceSize, tag = 16
        guard encryptedSize >= nonce else { throw AgeError.header("the file ends before the payload nonce; it is truncated") }
        let sealed = encryptedSize - nonce
        guard sealed >= tag else {
            throw AgeError.payload("the payload is \(encryptedSize) bytes, too short for its nonce and a chunk; the file is truncated")
        }
        let chunks = (sealed + PayloadStream.encryptedChunkSize - 1) / PayloadStream.encryptedChunkSize
        return nonce + chunks * tag
    }

    /// True when `identity` unwraps this file's key and the header MAC verifies with it. A plugin
    /// identity may ask the user for a PIN or touch to find out.
    public func opens(with identity: any Identity) throws -> Bool {
        guard let fileKey = try identity.unwrap(stanzas: header.stanzas) else { return false }
        return fileKey.count == FileKey.size && header.verifyMAC(fileKey: fileKey)
    }
}

/// The number of bytes a `CountingSource` has read, kept outside the (copied) source.
final class ByteCounter: @unchecked Sendable {
    var count = 0
}

/// A source that counts the bytes read through it.
struct CountingSource<Base: ByteSource>: ByteSource {
    var base: Base
    let counter: ByteCounter

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try base.read(into: buffer)
        counter.count += n
        return n
    }
}
