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
