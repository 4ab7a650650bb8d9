import SecureIO

/// age's ASCII armor: strict PEM-like base64, 64 columns, with the AGE ENCRYPTED FILE label.
public enum Armor {
    static let beginLine = Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)
    static let endLine = Array("-----END AGE ENCRYPTED FILE-----".utf8)
    static let bytesPerLine = 48
    /// Characters in a full armor line (48 bytes in padded base64).
    static let columns = 64
    /// Whitespace accepted before and after the armored block.
    static let maxSurroundingWhitespace = 1024

    /// ASCII whitespace as age trims it around the armor: space, tab, LF, VT, FF, CR.
    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0d).contains(b) }

    /// Appends one armor line: `bytes` (at most 48) in padded base64 through libsodium, then LF.
    static func appendLine(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out += Sodium.base64Encode(bytes, padded: true).utf8
        out.append(0x0a)
    }
}

extension BufferedSource {
    /// True when the input starts like an armored age file (optional whitespace, then
    /// `-----BEGIN`); nothing is consumed.
    mutating func looksArmored() throws -> Bool {
        try peek(Armor.maxSurroundingWhitespace + 16).drop(while: Armor.isWhitespace).starts(with: "-----BEGIN".utf8)
    }
}

/// Encodes everything written into armored text on `base`; call `finish` once at the end.
public struct ArmorSink<Base: ByteSink>: ByteSink {
    private var base: Base
    private var pending: [UInt8] = []
    private var started = false

    /// Armors onto `base`.
    public init(_ base: Base) { self.base = base }

    private mutating func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try base.write($0) }
    }

    private mutating func start() throws {
        if !started {
            started = true
            try emit(Armor.beginLine + [0x0a])
        }
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try start()
        pending.append(contentsOf: bytes)
        let whole = pending.count / Armor.bytesPerLine * Armor.bytesPerLine
        guard whole > 0 else { return }
        var text: [UInt8] = []
        text.reserveCapacity(whole / Armor.bytesPerLine * (Armor.columns + 1))
        pending.withUnsafeBytes { p in
            for start in stride(from: 0, to: whole, by: Armor.bytesPerLine) {
                Armor.appendLine(UnsafeRawBufferPointer(rebasing: p[start..<(start + Armor.bytesPerLine)]), to: &text)
            }
        }
        pending.removeFirst(whole)
        try emit(text)
    }

    /// Writes the final partial line and the end line; returns the underlying sink.
    public mutating func finish() throws -> Base {
        try start()
        var out: [UInt8] = []
        if !pending.isEmpty { pending.withUnsafeBytes { Armor.appendLine($0, to: &out) } }
        out += Armor.endLine + [0x0a]
        pending = []
        try emit(out)
        return base
    }
}

/// Decodes an armored age file strictly, line by line, as a byte source.
struct ArmorSource<Base: ByteSource>: ByteSource {
    private var base: BufferedSource<Base>
    private var decoded: [UInt8] = []
    private var offset = 0
    private var state = State.beforeBegin

    private enum State { case beforeBegin, body, expectEnd, done }

    init(_ base: BufferedSource<Base>) { self.base = base }

    /// One line without its LF or CRLF ending; nil at the end of input with nothing read.
    private mutating func nextLine() throws -> (line: [UInt8], terminated: Bool)? {
        var line = try base.readLine(limit: 1024, tooLong: AgeError.armor("armored line too long"))
        if line.isEmpty { return nil }
        let terminated = line.last == 0x0a
        if terminated { line.removeLast() }
        // A CR before the LF, or before the end of input, belongs to the line ending.
        if line.last == 0x0d { line.removeLast() }
        return (line, terminated)
    }

    /// Skips whitespace, failing once more than `limit` bytes of it were seen. Returns whether
    /// the input ended, and the last byte skipped.
    private mutating func skipWhitespace(limit: Int) throws -> (atEnd: Bool, last: UInt8?) {
        var skipped = 0
        var last: UInt8?
        while true {
            let next = try base.peek(1)
            guard let b = next.first else { return (true, last) }
            guard Armor.isWhitespace(b) else { return (false, last) }
            skipped += 1
            if skipped > limit {
                throw AgeError.armor("too much whitespace around the armored data")
            }
            var one: UInt8 = 0
            _ = try withUnsafeMutableBytes(of: &one) { try base.read(into: $0) }
            last = one
        }
    }

    /// After the END line only whitespace may follow, less than the limit (as age has it).
    private mutating func finishAfterEnd() throws {
        guard try skipWhitespace(limit: Armor.maxSurroundingWhitespace - 1).atEnd else {
            throw AgeError.armor("unexpected data after the armored age file")
        }
        state = .done
    }

    /// Advances until `decoded` holds data or the armor ends.
    private mutating func refill() throws {
        while offset == decoded.count && state != .done {
            switch state {
            case .beforeBegin:
                // Whitespace may come before the BEGIN line, in lines of its own.
                let skipped = try skipWhitespace(limit: Armor.maxSurroundingWhitespace)
                guard !skipped.atEnd, skipped.last == nil || skipped.last == 0x0a,
                      let (line, terminated) = try nextLine(), line == Armor.beginLine, terminated else {
                    throw AgeError.armor("invalid armor: the first line must be \"-----BEGIN AGE ENCRYPTED FILE-----\"")
                }
                state = .body
            case .body, .expectEnd:
                guard let (line, _) = try nextLine() else {
                    throw AgeError.armor("invalid armor: missing the \"-----END AGE ENCRYPTED FILE-----\" line")
                }
                if line == Armor.endLine {
                    try finishAfterEnd()
                    continue
                }
                guard state == .body else {
                    throw AgeError.armor("invalid armor: data after the final short line")
                }
                guard !line.isEmpty, line.count <= 64,
                      let data = line.withUnsafeBytes({ Sodium.base64Decode($0, padded: true) }) else {
                    throw AgeError.armor("invalid armor: lines must be canonical padded base64 of at most 64 columns")
                }
                if line.count < 64 || data.count < Armor.bytesPerLine { state = .expectEnd }
                decoded = data
                offset = 0
            case .done:
                break
            }
        }
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try refill()
        let n = min(buffer.count, decoded.count - offset)
        if n > 0 {
            decoded.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
        }
        return n
    }
}
