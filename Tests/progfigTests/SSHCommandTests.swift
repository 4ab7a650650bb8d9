import AgeFormat
import Foundation
import XCTest

/// The CLI with SSH keys made by ssh-keygen: keygen -y, age -R with .keys and authorized_keys
/// files, age -d -i with a protected key (passphrase from PROGFIG_PASSPHRASE).
final class SSHCommandTests: XCTestCase {
    private func sshKeygen(_ args: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen") else {
            print("SKIPPED: ssh-keygen not installed (Debian: openssh-client)")
            throw XCTSkip("ssh-keygen not installed")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        p.arguments = ["-q", "-C", "me@example"] + args
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    func testKeygenPrintsTheRecipientOfSSHKeys() throws {
        let dir = try makeTemporaryDirectory()
        try sshKeygen(["-t", "ed25519", "-N", "", "-f", dir.appendingPathComponent("id_ed25519").path])
        try sshKeygen(["-t", "rsa", "-b", "2048", "-N", "pw", "-a", "2", "-f", dir.appendingPathComponent("id_rsa").path])
        for name in ["id_ed25519", "id_rsa"] {
            let pub = try String(contentsOf: dir.appendingPathComponent(name + ".pub"), encoding: .utf8)
            let expected = pub.split(separator: " ").prefix(2).joined(separator: " ") + "\n"
            let result = try ProgfigRunner.run(["keygen", "-y", name], in: dir)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdoutText, expected, "\(name): the public key, no passphrase needed")
        }
    }

    func testEncryptToKeysFileAndDecryptWithProtectedKey() throws {
        let dir = try makeTemporaryDirectory()
        try sshKeygen(["-t", "ed25519", "-N", "pass word", "-a", "2", "-f", dir.appendingPathComponent("id_ed25519").path])
        try sshKeygen(["-t", "ecdsa", "-N", "", "-f", dir.appendingPathComponent("id_ecdsa").path])
        let ed = try String(contentsOf: dir.appendingPathComponent("id_ed25519.pub"), encoding: .utf8)
        let ecdsa = try String(contentsOf: dir.appendingPathComponent("id_ecdsa.pub"), encoding: .utf8)
        try Data((ecdsa + "no-pty,command=\"x y\" " + ed).utf8).write(to: dir.appendingPathComponent("authorized_keys"))
        try Data("secret text".utf8).write(to: dir.appendingPathComponent("plain"))
        let enc = try ProgfigRunner.run(["age", "-R", "authorized_keys", "-o", "out.age", "plain"], in: dir)
        XCTAssertEqual(enc.status, 0, enc.stderr)
        XCTAssertEqual(enc.stderr, "progfig: warning: authorized_keys:1: ignoring an SSH key of type ecdsa-sha2-nistp256, which age can't encrypt to\n")
        let dec = try ProgfigRunner.run(["age", "-d", "-i", "id_ed25519", "out.age"], in: dir, environment: ["PROGFIG_PASSPHRASE": "pass word"])
        XCTAssertEqual(dec.status, 0, dec.stderr)
        XCTAssertEqual(dec.stdoutText, "secret text")
        let wrong = try ProgfigRunner.run(["age", "-d", "-i", "id_ed25519", "out.age"], in: dir, environment: ["PROGFIG_PASSPHRASE": "nope"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("incorrect passphrase for the OpenSSH private key"), wrong.stderr)
    }

    /// The example site's db1 is keyed by its SSH host key: with the controller key away, db1
    /// reads its own and its groups' secrets with that key alone, and validate checks its
    /// ssh_host_fingerprint.
    func testExampleNodeKeyedByItsHostKey() throws {
        let site = try makeExampleSite()
        XCTAssertTrue(try String(contentsOf: site.root.appendingPathComponent("nodes/db1.conf"), encoding: .utf8)
            .contains("age_pubkey = ssh-ed25519 "))
        try site.moveControllerKeyAway()
        XCTAssertEqual(try progfigOK(["secret", "get", "db1", "db_password"], in: site.root).stdoutText, "S3cret-db-pass")
        XCTAssertEqual(try progfigOK(["secret", "get", "db1", "ntp_key"], in: site.root).stdoutText, "ntp.example.internal shared key")
        try site.restoreControllerKey()
        XCTAssertEqual(try progfig(["validate"], in: site.root).status, 0)
        let conf = site.root.appendingPathComponent("nodes/db1.conf")
        let text = try String(contentsOf: conf, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "ssh_host_fingerprint = SHA256:J", with: "ssh_host_fingerprint = SHA256:K").utf8).write(to: conf)
        let result = try progfig(["validate"], in: site.root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue((result.stdoutText + result.stderr).contains("node \"db1\": ssh_host_fingerprint SHA256:K"), result.stdoutText + result.stderr)
    }
}
