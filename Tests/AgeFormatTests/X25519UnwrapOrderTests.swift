import XCTest
@testable import AgeFormat

/// X25519 stanzas are judged in file order, as age does, also when tried in parallel batches.
final class X25519UnwrapOrderTests: XCTestCase {
    private let identity = X25519Identity.generate()
    private let malformed = Stanza(type: "X25519", arguments: ["not-a-share"], body: [UInt8](repeating: 0, count: 32))

    private func stanzas(others: Int, ownAt position: Int, malformedAt bad: Int?) throws -> ([Stanza], SecureBytes) {
        let fileKey = FileKey.generate()
        var list = try (0..<others).flatMap { _ in try X25519Identity.generate().x25519Recipient.wrap(fileKey: fileKey) }
        list.insert(contentsOf: try identity.x25519Recipient.wrap(fileKey: fileKey), at: position)
        if let bad { list.insert(malformed, at: bad) }
        return (list, fileKey)
    }

    private func assertUnwraps(_ list: [Stanza], _ fileKey: SecureBytes, file: StaticString = #filePath, line: UInt = #line) throws {
        let key = try XCTUnwrap(try identity.unwrap(stanzas: list), file: file, line: line)
        XCTAssertEqual(key.withUnsafeBytes { Array($0) }, fileKey.withUnsafeBytes { Array($0) }, file: file, line: line)
    }

    func testAMalformedStanzaAfterTheMatchIsNotExamined() throws {
        for others in [2, 600] {  // serial and parallel batches
            let (list, fileKey) = try stanzas(others: others, ownAt: 1, malformedAt: others)
            try assertUnwraps(list, fileKey)
        }
    }

    func testAMalformedStanzaBeforeTheMatchIsAHeaderError() throws {
        for others in [2, 600] {
            let (list, _) = try stanzas(others: others, ownAt: others, malformedAt: others - 1)
            XCTAssertThrowsError(try identity.unwrap(stanzas: list)) { error in
                XCTAssertEqual((error as? AgeError)?.kind, .header)
                XCTAssertEqual((error as? AgeError)?.message, "malformed X25519 stanza: the share must be 32 bytes of canonical base64")
            }
        }
    }

    func testTheMatchIsFoundInAnyBatch() throws {
        for position in [0, 255, 256, 599, 600] {
            let (list, fileKey) = try stanzas(others: 600, ownAt: position, malformedAt: nil)
            try assertUnwraps(list, fileKey)
        }
        let (list, _) = try stanzas(others: 300, ownAt: 0, malformedAt: nil)
        XCTAssertNil(try X25519Identity.generate().unwrap(stanzas: list))
    }
}
