/// Reads the SSH wire encoding (RFC 4251): big-endian uint32s and length-prefixed strings. Every
/// read is bounds-checked; a short input throws `AgeError.key` with `context` in the message.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0
    /// Names the structure being read, in errors.
    let context: String

    init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
    }

    /// True when every byte was read.
    var isAtEnd: Bool { offset == bytes.count }
    /// The bytes not read yet.
    var rest: ArraySlice<UInt8> { bytes[offset...] }

    mutating func uint32() throws(AgeError) -> UInt32 {
        let b = try take(4)
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A length-prefixed string's bytes.
    mutating func string() throws(AgeError) -> [UInt8] {
        let length = try uint32()
        return try take(Int(length))
    }

    /// The next `count` bytes.
    mutating func take(_ count: Int) throws(AgeError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw AgeError.key("\(context) is truncated") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// Writes the SSH wire encoding.
enum SSHWire {
    /// `bytes` as a length-prefixed string.
    static func string<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        uint32(UInt32(bytes.count)) + Array(bytes)
    }

    /// A non-negative big-endian number as an SSH mpint: minimal, with a zero byte first when
    /// the top bit is set.
    static func mpint(_ magnitude: [UInt8]) -> [UInt8] {
        let minimal = magnitude.drop(while: { $0 == 0 })
        return string((minimal.first ?? 0) & 0x80 != 0 ? [0] + minimal : Array(minimal))
    }

    static func uint32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    /// The 4-byte tag age puts in SSH stanzas: the start of SHA-256 of the wire public key.
    static func tag(_ wireKey: [UInt8]) -> [UInt8] { Array(Sodium.sha256(wireKey).prefix(4)) }
}
