// Fuzz target "pluginmsg": the parser of age plugin messages (C2SP age-plugin.md), the text a
// plugin program sends progfig. Any thrown error is fine; a crash, trap or sanitizer report is a finding.
@testable import AgeFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let messages = try? PluginMessage.parseAll(bytes) else { return 0 }
    // Parsing is strict: a transcript that parses has one encoding, its own bytes, and every
    // message has a non-empty VCHAR command and arguments and a bounded body.
    var encoded: [UInt8] = []
    for message in messages {
        for field in [message.type] + message.arguments {
            precondition(!field.isEmpty && field.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7e }, "parsed a message with an invalid field")
        }
        precondition(message.body.count <= PluginMessage.maxBodyBytes, "body limit not enforced")
        encoded += PluginMessage.encode(message.type, message.arguments, body: message.body)
    }
    precondition(encoded == bytes, "a parsed transcript does not re-encode to its bytes")
    return 0
}
