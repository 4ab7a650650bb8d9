import Foundation
import XCTest
@testable import AgeFormat

/// An SSH key pair made by ssh-keygen for a test.
struct SSHTestKey {
    /// What the key is, for messages: "ed25519", "rsa-3072", "ed25519 aes256-cbc"…
    let name: String
    let privatePath: URL
    let publicLine: String
    let passphrase: String?

    var privateText: String { (try? String(contentsOf: privatePath, encoding: .utf8)) ?? "" }

    /// The identity in the private key file; a protected key counts the passphrase requests.
    func identity(asked: AskCounter? = nil) throws -> any Identity {
        let pass = passphrase
        let ids = try AgeKeys.identities(in: privateText, name: privatePath.lastPathComponent) {
            asked?.increment()
            return pass ?? ""
        }
        XCTAssertEqual(ids.count, 1)
        return ids[0]
    }

    func recipient() throws -> any Recipient { try AgeKeys.recipient(publicLine) }
}

/// Counts passphrase requests from concurrent code.
final class AskCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Makes SSH keys with ssh-keygen; skips the test with a plain message when it is not installed.
enum SSHKeygen {
    static func require() throws -> String {
        guard let path = InteropTests.findExecutable("ssh-keygen") else {
            print("SKIPPED: ssh-keygen not installed (Debian: openssh-client)")
            throw XCTSkip("ssh-keygen not installed")
        }
        return path
    }

    /// A new key: `type` "ed25519" or "rsa" (with `bits`), protected by `passphrase` with `cipher`
    /// when given (bcrypt rounds kept low: the tests are about the format, not the cost).
    static func make(_ type: String, bits: Int? = nil, passphrase: String? = nil, cipher: String? = nil, in dir: URL) throws -> SSHTestKey {
        let keygen = try require()
        let name = [type + (bits.map { "-\($0)" } ?? ""), cipher ?? (passphrase == nil ? nil : "aes256-ctr")].compactMap { $0 }.joined(separator: " ")
        let path = dir.appendingPathComponent(name.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "@", with: "_"))
        var args = ["-q", "-t", type, "-N", passphrase ?? "", "-C", "test@example", "-f", path.path, "-a", "2"]
        if let bits { args += ["-b", String(bits)] }
        if let cipher { args += ["-Z", cipher] }
        let r = try runProcess(keygen, args)
        guard r.status == 0 else { throw ToolFailure("ssh-keygen \(args.joined(separator: " ")) failed: \(r.stderr)") }
        let pub = try String(contentsOf: URL(fileURLWithPath: path.path + ".pub"), encoding: .utf8)
        return SSHTestKey(name: name, privatePath: path, publicLine: pub.trimmingCharacters(in: .whitespacesAndNewlines), passphrase: passphrase)
    }
}
