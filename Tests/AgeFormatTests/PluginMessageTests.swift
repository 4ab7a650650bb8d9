import XCTest
@testable import AgeFormat

/// The plugin message codec: what parses, to what, and what is refused.
final class PluginMessageTests: XCTestCase {
    private func parse(_ text: String) throws -> [Stanza] { try PluginMessage.parseAll(Array(text.utf8)) }

    private func assertRefused(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: line) { error in
            XCTAssertEqual((error as? AgeError)?.kind, .header, file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
        }
    }

    func testTranscriptsParseAndReencodeExactly() throws {
        let key = [UInt8]("YELLOW SUBMARINE".utf8)
        let long = [UInt8](repeating: 0xab, count: 48)  // exactly one 64-column line, then an empty one
        let transcript = PluginMessage.encode("add-recipient", ["age1xyz"]) + PluginMessage.encode("wrap-file-key", body: key)
            + PluginMessage.encode("recipient-stanza", ["0", "X25519", "abc"], body: long) + PluginMessage.encode("done")
        let messages = try PluginMessage.parseAll(transcript)
        XCTAssertEqual(messages, [
            Stanza(type: "add-recipient", arguments: ["age1xyz"], body: []),
            Stanza(type: "wrap-file-key", arguments: [], body: key),
            Stanza(type: "recipient-stanza", arguments: ["0", "X25519", "abc"], body: long),
            Stanza(type: "done", arguments: [], body: []),
        ])
        XCTAssertEqual(messages.flatMap { PluginMessage.encode($0.type, $0.arguments, body: $0.body) }, transcript)
        XCTAssertEqual(String(decoding: PluginMessage.encode("done"), as: UTF8.self), "-> done\n\n")
        XCTAssertEqual(try parse(""), [])
    }

    func testMalformedMessagesAreRefused() {
        assertRefused("done\n\n", "does not start with \"-> \"")
        assertRefused("-> ok  yes\n\n", "empty argument")
        assertRefused("-> \n\n", "empty argument")
        assertRefused("-> ok\u{7f}\n\n", "invalid character")
        assertRefused("-> ok\n", "ends in the middle of a message body")
        assertRefused("-> ok", "ends in the middle of a message")
        assertRefused("-> ok\nAB\n", "canonical base64")
        assertRefused("-> ok\nAAA=\n", "canonical base64")
        assertRefused("-> ok\n" + String(repeating: "A", count: 68) + "\n", "at most 64 columns")
        assertRefused("-> " + String(repeating: "a", count: PluginMessage.maxLineBytes + 10) + "\n\n", "longer than")
        let line = String(repeating: "A", count: 64) + "\n"
        assertRefused("-> ok\n" + String(repeating: line, count: PluginMessage.maxBodyBytes / 48 + 1) + "\n", "larger than")
    }

    func testGreaseNeverUsesADefinedCommand() throws {
        let defined: Set = ["add-recipient", "add-identity", "wrap-file-key", "extension-labels", "done", "recipient-stanza",
                            "msg", "confirm", "request-public", "request-secret", "labels", "error", "file-key", "ok", "fail", "unsupported"]
        for _ in 0..<200 {
            let messages = try PluginMessage.parseAll(PluginMessage.grease())
            XCTAssertEqual(messages.count, 1)
            XCTAssertFalse(defined.contains(messages[0].type))
            XCTAssertTrue(messages[0].type.hasSuffix("-grease"))
        }
    }
}
