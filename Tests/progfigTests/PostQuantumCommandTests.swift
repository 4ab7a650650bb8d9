import AgeFormat
import Foundation
import XCTest

/// Post-quantum keys through the CLI: `keygen --pq`/`-pq`, `keygen -y`, `age -r/-R/-i`, identity
/// files holding both kinds, and the refusal to mix post-quantum with classic recipients. The
/// installed age (1.1.1) predates post-quantum keys (age v1.3), so there is no interop run here.
final class PostQuantumCommandTests: XCTestCase {
    private let publicKeyPattern = #"^# public key: age1pq1[02-9ac-hj-np-z]{1952}$"#
    private let secretKeyPattern = #"^AGE-SECRET-KEY-PQ-1[02-9AC-HJ-NP-Z]{58}$"#

    /// `keygen --pq` (or `-pq`) into `name`; returns the public key from its `# public key:` line.
    private func generate(_ flag: String, _ name: String, in dir: URL) throws -> String {
        let result = try ProgfigRunner.run(["keygen", flag, "-o", name], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.count, 4)
        XCTAssertNotNil(lines[1].range(of: publicKeyPattern, options: .regularExpression), lines[1])
        XCTAssertNotNil(lines[2].range(of: secretKeyPattern, options: .regularExpression), "bad secret key line")
        XCTAssertEqual(try permissions(dir.appendingPathComponent(name)), 0o600)
        let publicKey = String(lines[1].dropFirst("# public key: ".count))
        XCTAssertEqual(result.stderr, "Public key: \(publicKey)\n")
        return publicKey
    }

    func testKeygenPQAndDashYAndEncryptDecrypt() throws {
        let dir = try makeTemporaryDirectory()
        let pq1 = try generate("--pq", "pq1.txt", in: dir)
        let pq2 = try generate("-pq", "pq2.txt", in: dir)
        XCTAssertNotEqual(pq1, pq2)
        let y = try ProgfigRunner.run(["keygen", "-y", "pq1.txt"], in: dir)
        XCTAssertEqual(y.status, 0, y.stderr)
        XCTAssertEqual(y.stdoutText, pq1 + "\n")
        assertCleanError(try ProgfigRunner.run(["keygen", "--pq", "-y", "pq1.txt"], in: dir), status: 64, contains: "--pq cannot be used with -y")

        let plaintext = try makeRandomFile("plain", in: dir, count: 70_000)
        // -r with one key, -R with a recipients file of the other, armored.
        try "# team\n\(pq2)\n".write(to: dir.appendingPathComponent("recipients.txt"), atomically: false, encoding: .utf8)
        var r = try ProgfigRunner.run(["age", "-r", pq1, "-R", "recipients.txt", "-a", "-o", "out.age", "plain"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let armored = try String(contentsOf: dir.appendingPathComponent("out.age"), encoding: .utf8)
        XCTAssertTrue(armored.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"))
        for key in ["pq1.txt", "pq2.txt"] {
            r = try ProgfigRunner.run(["age", "-d", "-i", key, "out.age"], in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, try Data(contentsOf: plaintext))
        }
        // An identity file holding a classic and a post-quantum key opens both kinds of file.
        let classic = try makeIdentityFile("classic.txt", in: dir)
        let both = try String(contentsOf: classic.url, encoding: .utf8) + String(contentsOf: dir.appendingPathComponent("pq1.txt"), encoding: .utf8)
        try both.write(to: dir.appendingPathComponent("both.txt"), atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir.appendingPathComponent("both.txt").path)
        r = try ProgfigRunner.run(["age", "-r", classic.recipient, "-o", "classic.age", "plain"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        for file in ["out.age", "classic.age"] {
            r = try ProgfigRunner.run(["age", "-d", "-i", "both.txt", file], in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, try Data(contentsOf: plaintext))
        }
        let y2 = try ProgfigRunner.run(["keygen", "-y", "both.txt"], in: dir)
        XCTAssertEqual(y2.stdoutText, "\(classic.recipient)\n\(pq1)\n")
        // age -e -i: encrypt to the recipients of an identity file.
        r = try ProgfigRunner.run(["age", "-e", "-i", "pq2.txt", "-o", "self.age", "plain"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try ProgfigRunner.run(["age", "-d", "-i", "pq2.txt", "self.age"], in: dir)
        XCTAssertEqual(r.stdout, try Data(contentsOf: plaintext))
    }

    func testMixingIsRefusedBeforeAnyOutputNamingTheClassicKeys() throws {
        let dir = try makeTemporaryDirectory()
        let pq = try generate("--pq", "pq.txt", in: dir)
        let classic = try makeIdentityFile("classic.txt", in: dir)
        _ = try makeRandomFile("plain", in: dir, count: 10)
        let before = try directoryListing(dir)
        for args in [["-r", pq, "-r", classic.recipient], ["-r", classic.recipient, "-r", pq]] {
            let r = try ProgfigRunner.run(["age"] + args + ["-o", "out.age", "plain"], in: dir)
            assertCleanError(r, status: 1, contains: "can't mix post-quantum and classic recipients: \(classic.recipient)")
            XCTAssertFalse(r.stderr.contains(pq), "only the classic key is named")
            XCTAssertEqual(try directoryListing(dir), before, "no output file, no temporary file")
        }
        // The same through standard output: nothing written.
        let r = try ProgfigRunner.run(["age", "-r", pq, "-r", classic.recipient, "plain"], in: dir)
        assertCleanError(r, status: 1, contains: "can't mix post-quantum and classic recipients")
    }

    func testInitPQMakesAPostQuantumSiteThatValidatesAndStores() throws {
        let dir = try makeTemporaryDirectory()
        var r = try ProgfigRunner.run(["init", "-q", "--pq", "s"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let key = try String(contentsOf: dir.appendingPathComponent("s.controller.age"), encoding: .utf8)
        XCTAssertTrue(key.contains("\nAGE-SECRET-KEY-PQ-1"), "a post-quantum controller key")
        let package = dir.appendingPathComponent("s/src/s")
        let inventory = try String(contentsOf: package.appendingPathComponent("inventory.conf"), encoding: .utf8)
        let pub = try XCTUnwrap(key.split(separator: "\n").first { $0.hasPrefix("# public key: ") }?.dropFirst(14))
        XCTAssertTrue(inventory.contains("controller_age_pub = \(pub)\n"))
        let site = dir.appendingPathComponent("s")
        r = try ProgfigRunner.run(["validate"], in: site)
        XCTAssertEqual(r.status, 0, r.stdoutText + r.stderr)
        r = try ProgfigRunner.run(["secret", "encrypt", "-c", "--value", "v", "--save-as", "name"], in: site)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try ProgfigRunner.run(["secret", "decrypt", "-c"], in: site)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdoutText, "# controller name\nv\n")
        // A node with a classic key: validate names it; storing to it is refused, naming its key.
        let classic = try makeIdentityFile("web1.age", in: dir)
        try (inventory.replacingOccurrences(of: "[node_function_map]\n", with: "[node_function_map]\nweb1 = web\n"))
            .write(to: package.appendingPathComponent("inventory.conf"), atomically: false, encoding: .utf8)
        try "[sitedata]\nage_pubkey = \(classic.recipient)\n".write(to: package.appendingPathComponent("nodes/web1.conf"), atomically: false, encoding: .utf8)
        r = try ProgfigRunner.run(["validate"], in: site)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue((r.stdoutText + r.stderr).contains("the readers of node web1 mix post-quantum and classic keys, which can't be mixed; classic: node \"web1\" (\(classic.recipient))"),
                      r.stdoutText + r.stderr)
        r = try ProgfigRunner.run(["secret", "encrypt", "-n", "web1", "--value", "v", "--save-as", "x"], in: site)
        assertCleanError(r, status: 1, contains: "classic: node \"web1\" (\(classic.recipient))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: package.appendingPathComponent("nodes/web1.secrets.json").path))
    }
}
