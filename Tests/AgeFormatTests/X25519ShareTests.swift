import XCTest
@testable import AgeFormat
import SecureIO

/// The fixed-base ephemeral share must be X25519(scalar, 9) exactly: any byte off and no recipient
/// could derive the wrapping key.
final class X25519ShareTests: XCTestCase {
    private func assertMatchesLadder(_ scalar: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let secret = SecureBytes(scalar)
        XCTAssertEqual(Sodium.x25519PublicShare(secret), Sodium.x25519Base(secret),
                       "scalar \(scalar.map { String(format: "%02x", $0) }.joined())", file: file, line: line)
    }

    func testMatchesTheLadderOnRandomScalars() {
        for _ in 0..<10_000 {
            assertMatchesLadder(Sodium.randomBytes(32))
        }
    }

    /// Shares computed together (one inversion for the batch) equal the ladder's one by one,
    /// for batches of every size up to 40 and one of 1,000.
    func testBatchMatchesTheLadder() {
        for count in Array(0...40) + [1_000] {
            let scalars = (0..<count).map { _ in SecureBytes(Sodium.randomBytes(32)) }
            XCTAssertEqual(Sodium.x25519PublicShares(scalars), scalars.map(Sodium.x25519Base), "batch of \(count)")
        }
    }

    /// Scalars at the edges of clamping: all bits clear or set, each single byte set, and the
    /// smallest and largest clamped values (the bits clamping overrides must not matter).
    func testMatchesTheLadderOnEdgeScalars() {
        assertMatchesLadder([UInt8](repeating: 0, count: 32))
        assertMatchesLadder([UInt8](repeating: 0xff, count: 32))
        for i in 0..<32 {
            for value: UInt8 in [1, 0x80, 0xff] {
                var scalar = [UInt8](repeating: 0, count: 32)
                scalar[i] = value
                assertMatchesLadder(scalar)
            }
        }
        var smallest = [UInt8](repeating: 0, count: 32); smallest[31] = 0x40
        var largest = [UInt8](repeating: 0xff, count: 32); largest[0] = 0xf8; largest[31] = 0x7f
        assertMatchesLadder(smallest)
        assertMatchesLadder(largest)
    }

    /// A wrapped file key still opens with the identity (the share feeds the HKDF salt).
    func testWrappedKeyOpens() throws {
        let identity = X25519Identity.generate()
        let plaintext = Array("fixed-base".utf8)
        let ciphertext = try Encryptor(recipients: [identity.x25519Recipient]).encrypt(plaintext)
        XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(ciphertext), plaintext)
    }
}
