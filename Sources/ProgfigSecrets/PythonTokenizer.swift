/// A position in a Python source file: 1-based line and column (columns count characters).
public struct SourcePosition: Equatable, Sendable, CustomStringConvertible {
    /// The 1-based line.
    public let line: Int
    /// The 1-based column, in characters.
    public let column: Int

    /// "LINE:COLUMN".
    public var description: String { "\(line):\(column)" }
}

/// One token of a Python module, as `PythonParser` consumes them.
struct PythonToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// An identifier or keyword.
        case name(String)
        /// A numeric literal's text, underscores removed.
        case number(String)
        /// A string literal's value. `bytes` for b'' literals; `fields` for f-strings with
        /// replacement fields (their text is not evaluated).
        case string(String, bytes: Bool, fields: Bool)
        /// An operator or delimiter: `(`, `.`, `=`, `**`, `->`, ...
        case op(String)
        /// The end of a logical line.
        case newline
        /// The end of the module.
        case end
    }

    let kind: Kind
    let position: SourcePosition
    /// The indentation (in columns) of the logical line this token starts; nil unless it is the
    /// first token of its logical line.
    let lineIndent: Int?
}

/// Splits Python source into tokens: names, numbers, every form of string literal (quotes,
/// triple quotes, raw, escapes, f-strings), operators and logical-line ends. Comments, blank
/// lines, backslash continuations and newlines inside brackets are consumed here. Errors (an
/// unterminated string, an unmatched bracket, a character Python rejects) name file:line:column.
struct PythonTokenizer {
    private let bytes: [UInt8]
    private let path: String
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var brackets: [(UInt8, SourcePosition)] = []
    /// The last position computed on the current line, so that positions along a long line are
    /// found in linear time overall.
    private var lastOffset = 0
    private var lastColumn = 1

    init(_ source: String, path: String) {
        self.bytes = Array(source.utf8)
        self.path = path
    }

    private mutating func position(at offset: Int) -> SourcePosition {
        var column = 1
        var i = lineStart
        if lastOffset >= lineStart && lastOffset <= offset { column = lastColumn; i = lastOffset }
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        lastOffset = offset
        lastColumn = column
        return SourcePosition(line: line, column: column)
    }

    private func error(_ message: String, at position: SourcePosition) -> SiteError {
        SiteError(message, file: path, line: position.line, column: position.column)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    /// Consumes a line break at `index` (LF, CR or CRLF) and starts the next line.
    private mutating func consumeNewline() {
        if bytes[index] == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { index += 1 }
        index += 1
        line += 1
        lineStart = index
    }

    private static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80
    }

    private static func isNameChar(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static let operators: [String] = [
        "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
        "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "=", "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">",
    ].sorted { $0.utf8.count > $1.utf8.count }

    /// Every token of the source, ending with `.end`.
    mutating func tokenize() throws -> [PythonToken] {
        var tokens: [PythonToken] = []
        var atLineStart = true
        var pendingIndent: Int?
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3; lineStart = 3 }
        while index < bytes.count {
            let b = bytes[index]
            if atLineStart && brackets.isEmpty {
                // Measure the indentation of a new logical line; blank and comment lines don't count.
                var width = 0
                while let c = peek(), c == 0x20 || c == 0x09 || c == 0x0C {
                    width = c == 0x09 ? (width / 8 + 1) * 8 : (c == 0x0C ? 0 : width + 1)
                    index += 1
                }
                guard let c = peek() else { break }
                if c == 0x0A || c == 0x0D { consumeNewline(); continue }
                if c == UInt8(ascii: "#") { skipComment(); continue }
                if c == UInt8(ascii: "\\") && (peek(1) == 0x0A || peek(1) == 0x0D) {
                    index += 1
                    consumeNewline()
                    pendingIndent = pendingIndent ?? width
                    atLineStart = false
                    continue
                }
                pendingIndent = pendingIndent ?? width
                atLineStart = false
                continue
            }
            switch b {
            case 0x20, 0x09, 0x0C:
                index += 1
            case 0x0A, 0x0D:
                if brackets.isEmpty {
                    if let last = tokens.last, last.kind != .newline {
                        tokens.append(PythonToken(kind: .newline, position: position(at: index), lineIndent: nil))
                    }
                    atLineStart = true
                    pendingIndent = nil
                }
                consumeNewline()
            case UInt8(ascii: "#"):
                skipComment()
            case UInt8(ascii: "\\"):
                guard let next = peek(1), next == 0x0A || next == 0x0D else {
                    throw error("unexpected character after line continuation character", at: position(at: index))
                }
                index += 1
                consumeNewline()
            default:
                let start = position(at: index)
                let kind = try token()
                tokens.append(PythonToken(kind: kind, position: start, lineIndent: pendingIndent))
                pendingIndent = nil
            }
        }
        if let (open, at) = brackets.last {
            throw error("'\(Character(Unicode.Scalar(open)))' was never closed", at: at)
        }
        let endPosition = position(at: index)
        if let last = tokens.last, last.kind != .newline {
            tokens.append(PythonToken(kind: .newline, position: endPosition, lineIndent: nil))
        }
        tokens.append(PythonToken(kind: .end, position: endPosition, lineIndent: nil))
        return tokens
    }

    private mutating func skipComment() {
        while let c = peek(), c != 0x0A && c != 0x0D { index += 1 }
    }

    /// Reads the token at `index`, which is not whitespace, a comment or a line break.
    private mutating func token() throws -> PythonToken.Kind {
        let start = index
        let b = bytes[index]
        if Self.isNameStart(b) {
            while let c = peek(), Self.isNameChar(c) { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            if let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""),
               let prefix = StringPrefix(name) {
                return try string(prefix: prefix, start: start)
            }
            return .name(name)
        }
        if Self.isDigit(b) || (b == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
            return try number()
        }
        if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
            return try string(prefix: StringPrefix("")!, start: start)
        }
        for op in Self.operators where bytes[index...].starts(with: op.utf8) {
            let at = position(at: index)
            index += op.utf8.count
            switch op {
            case "(", "[", "{":
                // Python's own limit; it also bounds the parser's recursion.
                guard brackets.count < 200 else { throw error("too many nested parentheses", at: at) }
                brackets.append((op.utf8.first!, at))
            case ")", "]", "}":
                let expected: UInt8 = op == ")" ? UInt8(ascii: "(") : op == "]" ? UInt8(ascii: "[") : UInt8(ascii: "{")
                guard let (open, _) = brackets.popLast() else { throw error("unmatched '\(op)'", at: at) }
                guard open == expected else {
                    throw error("closing parenthesis '\(op)' does not match opening parenthesis '\(Character(Unicode.Scalar(open)))'", at: at)
                }
            default: break
            }
            return .op(op)
        }
        let scalar = String(decoding: bytes[index..<min(index + 4, bytes.count)], as: UTF8.self).unicodeScalars.first
        throw error("invalid character \(scalar.map { "'\($0)'" } ?? "") in Python source", at: position(at: index))
    }

    /// A numeric literal: decimal, hex, octal, binary, float or imaginary; underscores allowed.
    private mutating func number() throws -> PythonToken.Kind {
        let start = index
        while let c = peek(), Self.isNameChar(c) || c == UInt8(ascii: ".")
            || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && index > start
                && (bytes[index - 1] | 0x20) == UInt8(ascii: "e") && !isRadixLiteral(from: start)) {
            index += 1
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.contains("__"), !text.hasSuffix("_") else {
            throw error("invalid number literal '\(text)'", at: position(at: start))
        }
        return .number(text.replacingOccurrences(of: "_", with: ""))
    }

    private func isRadixLiteral(from start: Int) -> Bool {
        bytes[start] == UInt8(ascii: "0") && start + 1 < bytes.count && "xXoObB".utf8.contains(bytes[start + 1])
    }

    /// The prefix letters of a string literal.
    private struct StringPrefix {
        var raw = false, bytes = false, format = false

        init?(_ text: String) {
            for c in text.lowercased() {
                switch c {
                case "r" where !raw: raw = true
                case "b" where !bytes && !format: bytes = true
                case "f" where !format && !bytes: format = true
                case "u" where text.count == 1: break
                default: return nil
                }
            }
        }
    }

    /// A string literal whose opening quote is at `index`; `start` is where its prefix began.
    private mutating func string(prefix: StringPrefix, start: Int) throws -> PythonToken.Kind {
        let startPosition = position(at: start)
        let quote = bytes[index]
        let triple = peek(1) == quote && peek(2) == quote
        index += triple ? 3 : 1
        var value: [UInt8] = []
        var fields = false
        while true {
            guard let c = peek() else {
                throw error(triple ? "unterminated triple-quoted string literal" : "unterminated string literal", at: startPosition)
            }
            if c == quote {
                if !triple { index += 1; break }
                if peek(1) == quote && peek(2) == quote { index += 3; break }
                value.append(c)
                index += 1
                continue
            }
            if c == 0x0A || c == 0x0D {
                guard triple else { throw error("unterminated string literal", at: startPosition) }
                value.append(0x0A)
                consumeNewline()
                continue
            }
            if prefix.format && (c == UInt8(ascii: "{") || c == UInt8(ascii: "}")) {
                if peek(1) == c {
                    value.append(c)
                    index += 2
                } else if c == UInt8(ascii: "{") {
                    // A replacement field: kept unevaluated; skip to its closing brace.
                    fields = true
                    index += 1
                    var depth = 1
                    while depth > 0, let f = peek(), f != quote || triple {
                        if f == 0x0A || f == 0x0D { guard triple else { break }; consumeNewline(); continue }
                        if f == quote && peek(1) == quote && peek(2) == quote { break }
                        if f == UInt8(ascii: "{") { depth += 1 } else if f == UInt8(ascii: "}") { depth -= 1 }
                        index += 1
                    }
                } else {
                    throw error("f-string: single '}' is not allowed", at: position(at: index))
                }
                continue
            }
            if c == UInt8(ascii: "\\") {
                guard let next = peek(1) else { index += 1; continue }
                if prefix.raw {
                    value.append(c)
                    index += 1
                    if next == 0x0A || next == 0x0D {
                        value.append(0x0A)
                        consumeNewline()
                    } else {
                        value.append(next)
                        index += 1
                    }
                    continue
                }
                try escape(into: &value, bytesLiteral: prefix.bytes)
                continue
            }
            if prefix.bytes && c >= 0x80 {
                throw error("bytes can only contain ASCII literal characters", at: position(at: index))
            }
            value.append(c)
            index += 1
        }
        return .string(String(decoding: value, as: UTF8.self), bytes: prefix.bytes, fields: fields)
    }

    /// An escape sequence of a non-raw string literal, backslash at `index`.
    private mutating func escape(into value: inout [UInt8], bytesLiteral: Bool) throws {
        let at = position(at: index)
        let c = bytes[index + 1]
        index += 2
        func append(_ scalar: UInt32) throws {
            guard let s = Unicode.Scalar(scalar) else { throw error("invalid escape: not a Unicode scalar", at: at) }
            value += Array(String(Character(s)).utf8)
        }
        func hex(_ count: Int) throws -> UInt32 {
            guard index + count <= bytes.count,
                  let n = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16) else {
                throw error("truncated \\\(Character(Unicode.Scalar(c))) escape", at: at)
            }
            index += count
            return n
        }
        switch c {
        case 0x0A, 0x0D:
            index -= 1
            consumeNewline()
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): value.append(c)
        case UInt8(ascii: "a"): value.append(0x07)
        case UInt8(ascii: "b"): value.append(0x08)
        case UInt8(ascii: "f"): value.append(0x0C)
        case UInt8(ascii: "n"): value.append(0x0A)
        case UInt8(ascii: "r"): value.append(0x0D)
        case UInt8(ascii: "t"): value.append(0x09)
        case UInt8(ascii: "v"): value.append(0x0B)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var n = UInt32(c - 0x30)
            var digits = 1
            while digits < 3, let d = peek(), d >= 0x30 && d <= 0x37 { n = n * 8 + UInt32(d - 0x30); index += 1; digits += 1 }
            try append(n)
        case UInt8(ascii: "x"): try append(try hex(2))
        case UInt8(ascii: "u") where !bytesLiteral: try append(try hex(4))
        case UInt8(ascii: "U") where !bytesLiteral: try append(try hex(8))
        case UInt8(ascii: "N") where !bytesLiteral:
            throw error("unsupported construct: \\N{...} escape (progfig reads site modules without running Python)", at: at)
        default:
            value.append(UInt8(ascii: "\\"))
            index -= 1
        }
    }
}
