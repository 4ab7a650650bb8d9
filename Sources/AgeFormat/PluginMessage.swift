import SecureIO
/// The plugin IPC encoding (C2SP age-plugin.md): each message is a stanza in the age header's text
/// format, with the command as its type. Messages come from another program, so reading them is
/// strict and bounded like reading a header.
enum PluginMessage {
    /// The longest line accepted from a plugin (a command with its arguments, or a body line).
    static let maxLineBytes = 64 * 1024
    /// The largest body accepted in one message.
    static let maxBodyBytes = 1024 * 1024

    /// Reads the next message from `source`; nil at a clean end of input (between messages).
    /// Throws a header-class error for malformed input, naming what was wrong but never quoting it.
    static func read<S: ByteSource>(from source: inout BufferedSource<S>) throws -> Stanza? {
        let tooLong = AgeError.header("a plugin message line is longer than \(maxLineBytes) bytes")
        var atEnd = false
        let first: Stanza? = try source.withLine(limit: maxLineBytes + 1, tooLong: tooLong) { line in
            if line.isEmpty { atEnd = true; return nil }
            guard line.last == 0x0a else { throw AgeError.header("the plugin's output ends in the middle of a message") }
            let content = UnsafeRawBufferPointer(rebasing: line.dropLast())
            guard content.starts(with: "-> ".utf8) else { throw AgeError.header("malformed plugin message: it does not start with \"-> \"") }
            let fields = content[3...].split(separator: 0x20, omittingEmptySubsequences: false)
            guard fields.allSatisfy(Stanza.isValidArgument) else {
                throw AgeError.header("malformed plugin message: empty argument or invalid character")
            }
            let strings = fields.map { String(decoding: $0, as: UTF8.self) }
            return Stanza(type: strings[0], arguments: Array(strings.dropFirst()), body: [])
        }
        guard var message = first else {
            if atEnd { return nil }
            throw AgeError.header("malformed plugin message")
        }
        var more = true
        while more {
            more = try source.withLine(limit: maxLineBytes + 1, tooLong: tooLong) { line in
                guard line.last == 0x0a else { throw AgeError.header("the plugin's output ends in the middle of a message body") }
                let content = UnsafeRawBufferPointer(rebasing: line.dropLast())
                guard content.count <= 64, let decoded = UnpaddedBase64.decode(content) else {
                    throw AgeError.header("malformed plugin message body: lines must be canonical base64 of at most 64 columns")
                }
                guard message.body.count + decoded.count <= maxBodyBytes else {
                    throw AgeError.header("a plugin message body is larger than \(maxBodyBytes) bytes")
                }
                message.body += decoded
                return content.count == 64
            }
        }
        return message
    }

    /// Parses a whole transcript of messages; for tests and the fuzz target.
    static func parseAll(_ bytes: [UInt8]) throws -> [Stanza] {
        var source = BufferedSource(ArraySource(bytes), bufferSize: maxLineBytes + 2)
        var messages: [Stanza] = []
        while let message = try read(from: &source) { messages.append(message) }
        return messages
    }

    /// Encodes a message: `-> COMMAND ARGS…`, then its body (always at least one line).
    static func encode(_ command: String, _ arguments: [String] = [], body: [UInt8] = []) -> [UInt8] {
        Stanza(type: command, arguments: arguments, body: body).encoded()
    }

    /// A random grease message: a command that can't collide with a defined one (they contain no
    /// `-grease`), up to two random arguments and a random, possibly empty body.
    static func grease() -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789+/=-_.".utf8)
        func token() -> String {
            String(decoding: (0..<Int.random(in: 1...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }, as: UTF8.self)
        }
        let command = "\(token())-grease"
        let arguments = (0..<Int.random(in: 0...2, using: &random)).map { _ in token() }
        let body = Sodium.randomBytes(Int.random(in: 0...100, using: &random))
        return encode(command, arguments, body: Bool.random(using: &random) ? body : [])
    }
}
