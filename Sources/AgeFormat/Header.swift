import SecureIO
/// The age v1 header: the version line, the recipient stanzas and the MAC.
public struct Header: Sendable {
    static let versionLine = Array("age-encryption.org/v1\n".utf8)
    private static let macPrefix = Array("---".utf8)

    /// The recipient stanzas, in file order.
    public var stanzas: [Stanza]
    /// The 32-byte header MAC.
    public var mac: [UInt8]
    /// The header bytes the MAC covers: everything up to and including `---`.
    var macInput: [UInt8]

    /// Builds a header for `stanzas`, computing its MAC with the file key.
    init(stanzas: [Stanza], fileKey: SecureBytes) {
        self.stanzas = stanzas
        var bytes = Header.versionLine
        for s in stanzas { bytes += s.encoded() }
        bytes += Header.macPrefix
        macInput = bytes
        mac = Header.computeMAC(fileKey: fileKey, macInput: bytes)
    }

    /// The full encoded header, ending with the MAC line.
    func encoded() -> [UInt8] {
        macInput + Array(" \(UnpaddedBase64.encode(mac))\n".utf8)
    }

    /// HMAC-SHA-256 keyed with HKDF(file key, "header") over the header up to `---`.
    static func computeMAC(fileKey: SecureBytes, macInput: [UInt8]) -> [UInt8] {
        let key = fileKey.withUnsafeBytes { Sodium.hkdf(ikm: $0, salt: UnsafeRawBufferPointer(start: nil, count: 0), info: "header") }
        var mac = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { k in macInput.withUnsafeBytes { input in
            mac.withUnsafeMutableBytes { Sodium.hmacSHA256(key: k, input, into: $0) }
        } }
        return mac
    }

    /// Verifies the MAC in constant time.
    func verifyMAC(fileKey: SecureBytes) -> Bool {
        Sodium.constantTimeEqual(Header.computeMAC(fileKey: fileKey, macInput: macInput), mac)
    }

    /// Parses a header strictly from `source`, leaving the source positioned at the payload.
    /// Lines are examined in place in the source's buffer: a stanza costs its strings and body only.
    /// Input is refused as soon as it cannot be a valid header: the version line is checked before
    /// any line is read, and each kind of line is read no further than its longest valid form.
    static func parse<S: ByteSource>(from source: inout BufferedSource<S>, limits: Limits) throws -> Header {
        var consumed = 0
        let tooLong = AgeError(.limit, "the header is larger than the limit of \(limits.maxHeaderBytes) bytes")
        /// Passes the next line, without its LF, to `body`. A line with no LF within `maxLength`
        /// bytes (LF included) is refused with `refusal`, and one `partial` rejects as soon as it does.
        func nextLine<R>(maxLength: Int = .max, refusal: AgeError? = nil,
                         partial: (UnsafeRawBufferPointer) throws -> Void = { _ in },
                         _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
            let room = max(limits.maxHeaderBytes - consumed, 0)
            return try source.withLine(limit: min(maxLength, room), tooLong: maxLength < room ? refusal ?? tooLong : tooLong,
                                       partial: partial) { line in
                consumed += line.count
                if consumed > limits.maxHeaderBytes { throw tooLong }
                guard line.last == 0x0a else { throw AgeError.header("the header ends unexpectedly") }
                return try body(UnsafeRawBufferPointer(rebasing: line.dropLast()))
            }
        }

        let start = try source.peek(versionLine.count)
        guard start.elementsEqual(versionLine) else {
            if start.isEmpty { throw AgeError.header("the input is empty, not an age file") }
            if versionLine.starts(with: start) { throw AgeError.header("the header ends unexpectedly") }
            if start.starts(with: "age-encryption.org/".utf8) {
                throw AgeError.header("unsupported age format version; this file may need a newer age implementation")
            }
            throw AgeError.header("not an age file: the first line is not \"age-encryption.org/v1\"")
        }
        try nextLine { _ in }
        var macInput = versionLine
        var stanzas: [Stanza] = []
        let macLineLength = 3 + 1 + 43 + 1
        let malformedMAC = AgeError.header("malformed MAC line in the header")
        let malformedStanza = AgeError.header("malformed stanza: empty argument or invalid character")
        let malformedBody = AgeError.header("malformed stanza body: lines must be canonical base64 of at most 64 columns")
        while true {
            let kind = try source.peek(3)
            let isMAC = kind.elementsEqual(macPrefix)
            guard isMAC || kind.elementsEqual("-> ".utf8) else {
                if kind.count < 3 && !kind.contains(0x0a) { throw AgeError.header("the header ends unexpectedly") }
                throw AgeError.header("malformed header line: expected a stanza (\"-> \") or the MAC line (\"---\")")
            }
            let mac: [UInt8]? = try nextLine(maxLength: isMAC ? macLineLength : .max, refusal: malformedMAC, partial: { part in
                if !isMAC && part.contains(where: { $0 < 0x20 || $0 > 0x7e }) { throw malformedStanza }
            }) { line in
                if isMAC {
                    guard line.count == macLineLength - 1, line[3] == 0x20,
                          let mac = UnpaddedBase64.decode(UnsafeRawBufferPointer(rebasing: line[4...])), mac.count == 32 else {
                        throw malformedMAC
                    }
                    macInput += macPrefix
                    return mac
                }
                macInput.append(contentsOf: line)
                macInput.append(0x0a)
                var type: String?
                var arguments: [String] = []
                var fieldStart = 3
                for i in 3...line.count where i == line.count || line[i] == 0x20 {
                    let field = UnsafeRawBufferPointer(rebasing: line[fieldStart..<i])
                    guard Stanza.isValidArgument(field) else { throw malformedStanza }
                    let text = String(decoding: field, as: UTF8.self)
                    if type == nil { type = text } else { arguments.append(text) }
                    fieldStart = i + 1
                }
                guard stanzas.count < limits.maxStanzas else {
                    throw AgeError(.limit, "the header has more than the limit of \(limits.maxStanzas) recipient stanzas")
                }
                stanzas.append(Stanza(type: type!, arguments: arguments, body: []))
                return nil
            }
            if let mac { return Header(stanzas: stanzas, mac: mac, macInput: macInput) }
            var body: [UInt8] = []
            while try nextLine(maxLength: 64 + 1, refusal: malformedBody, { bodyLine in
                macInput.append(contentsOf: bodyLine)
                macInput.append(0x0a)
                guard bodyLine.count <= 64, let decoded = UnpaddedBase64.decode(bodyLine) else { throw malformedBody }
                if body.isEmpty { body = decoded } else { body += decoded }
                return bodyLine.count == 64
            }) {}
            stanzas[stanzas.count - 1].body = body
        }
    }

    private init(stanzas: [Stanza], mac: [UInt8], macInput: [UInt8]) {
        self.stanzas = stanzas
        self.mac = mac
        self.macInput = macInput
    }
}

extension Header {
    /// Parses the header of an in-memory age file, binary or armored, without decrypting anything:
    /// for tools that check that a value is a well-formed age file or count its stanzas.
    public static func parse(_ file: [UInt8], limits: Limits = .default) throws -> Header {
        var buffered = BufferedSource(ArraySource(file), bufferSize: file.count + 1)
        if try buffered.looksArmored() {
            var inner = BufferedSource(ArmorSource(buffered), bufferSize: file.count + 1)
            return try parse(from: &inner, limits: limits)
        }
        return try parse(from: &buffered, limits: limits)
    }
}
