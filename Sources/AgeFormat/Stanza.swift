/// One recipient stanza of an age header: a type, its arguments, and a binary body.
public struct Stanza: Equatable, Sendable {
    /// The stanza type, e.g. `X25519` or `scrypt` (case-sensitive).
    public var type: String
    /// The arguments after the type.
    public var arguments: [String]
    /// The decoded body.
    public var body: [UInt8]

    /// Makes a stanza; `type` and each argument must be non-empty printable ASCII without spaces.
    public init(type: String, arguments: [String], body: [UInt8]) {
        self.type = type
        self.arguments = arguments
        self.body = body
    }

    /// The stanza as it appears in a header: `-> type args…`, then the body wrapped at 64 columns,
    /// always ending with a line shorter than 64 columns (possibly empty).
    func encoded() -> [UInt8] {
        var out = Array("-> ".utf8)
        out += Array(([type] + arguments).joined(separator: " ").utf8)
        out.append(0x0a)
        let b64 = Array(UnpaddedBase64.encode(body).utf8)
        var i = 0
        while true {
            let end = min(i + 64, b64.count)
            out += b64[i..<end]
            out.append(0x0a)
            if end - i < 64 { break }
            i = end
        }
        return out
    }

    /// True when `s` is a valid stanza argument: one or more VCHAR (0x21…0x7e).
    static func isValidArgument<S: Collection>(_ s: S) -> Bool where S.Element == UInt8 {
        !s.isEmpty && s.allSatisfy { $0 >= 0x21 && $0 <= 0x7e }
    }
}

/// Reads a recipient stanza with the checks every type shares: the argument count, arguments
/// that are canonical base64 of a fixed length, and a body of a fixed length. Errors are header
/// errors naming the stanza type.
struct StanzaReader {
    /// The stanza being read.
    let stanza: Stanza

    /// Checks that `stanza` has exactly `arguments` arguments.
    init(_ stanza: Stanza, arguments: Int) throws(AgeError) {
        self.stanza = stanza
        guard stanza.arguments.count == arguments else {
            throw malformed("expected exactly \(arguments) argument\(arguments == 1 ? "" : "s")")
        }
    }

    /// Argument `index` decoded from canonical unpadded base64; it must be `count` bytes.
    func bytes(argument index: Int, count: Int, name: String) throws(AgeError) -> [UInt8] {
        guard let value = UnpaddedBase64.decode(stanza.arguments[index].utf8), value.count == count else {
            throw malformed("the \(name) must be \(count) bytes of canonical base64")
        }
        return value
    }

    /// The body, which must be `count` bytes (by default a wrapped 16-byte file key).
    func body(count: Int = FileKey.size + Sodium.tagSize) throws(AgeError) -> [UInt8] {
        guard stanza.body.count == count else {
            throw malformed(count == FileKey.size + Sodium.tagSize ? "the body must wrap a 16-byte file key" : "the body must be \(count) bytes")
        }
        return stanza.body
    }

    /// A header error about this stanza.
    func malformed(_ reason: String) -> AgeError { AgeError.header("malformed \(stanza.type) stanza: \(reason)") }
}
