import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets

/// Nodes keyed by their SSH host key: age_pubkey is the host's public key, the node decrypts with
/// its host key file, and validate checks ssh_host_fingerprint. Keys are made by ssh-keygen.
final class SSHHostKeyTests: XCTestCase {
    private struct HostKey { let privatePath: String; let publicLine: String; let fingerprint: String }

    private func makeHostKey(at path: String) throws -> HostKey {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen") else {
            print("SKIPPED: ssh-keygen not installed (Debian: openssh-client)")
            throw XCTSkip("ssh-keygen not installed")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertEqual(try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "root@h1", "-f", path]).status, 0)
        let pub = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .newlines)
        let listed = try runProcess("/usr/bin/ssh-keygen", ["-l", "-f", path + ".pub"]).text
        return HostKey(privatePath: path, publicLine: pub, fingerprint: String(listed.split(separator: " ")[1]))
    }

    /// A site with node n1 (an age key) and h1 (keyed by its SSH host key), the host key path set
    /// in [secrets]; h1's secret stored.
    private func makeSite(fingerprint: ((HostKey) -> String)? = nil) throws -> (SecretsSite, HostKey) {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("sshsite"))
        let hostKey = try makeHostKey(at: site.path("etc/ssh_host_ed25519_key"))
        try site.writeInventory(groups: [("all", "n1 h1")], nodes: [("n1", "web"), ("h1", "web")], functionRoles: [("web", "settz")])
        let inventory = site.path("inventory.conf")
        let text = try String(contentsOfFile: inventory, encoding: .utf8)
            .replacingOccurrences(of: "[secrets]\n", with: "[secrets]\nnode_ssh_host_key_path = \(hostKey.privatePath)\n")
        try site.write(text, to: "inventory.conf")
        try site.addNode("n1")
        var conf = "[node]\naddress = h1.example.com\n\n[sitedata]\nage_pubkey = \(hostKey.publicLine)\n"
        conf += fingerprint.map { "ssh_host_fingerprint = \($0(hostKey))\n" } ?? ""
        try site.write(conf, to: "nodes/h1.conf")
        try site.writeControllerKey()
        _ = try site.store().store(name: "pw", value: Array("host secret".utf8), nodes: ["h1"], groups: [], controllerKey: false)
        _ = try site.store().store(name: "shared", value: Array("group secret".utf8), nodes: [], groups: ["all"], controllerKey: false)
        return (site, hostKey)
    }

    func testNodeDecryptsWithItsHostKey() throws {
        let (site, hostKey) = try makeSite()
        let stored = try XCTUnwrap(site.secrets("nodes/h1.secrets.json")["pw"])
        XCTAssertEqual(try stanzaTypes(stored), ["X25519", "ssh-ed25519"])  // the controller's stanza first
        // On the node: no controller key, no fallback key; only the host key.
        try FileManager.default.removeItem(atPath: site.controllerKeyPath)
        let store = try site.store(SecretStoreOptions(actingAsNode: "h1"))
        XCTAssertEqual(store.keys.locations.last, .sshHostKey(hostKey.privatePath))
        XCTAssertEqual(try store.getInherited(node: "h1", name: "pw").value(), Array("host secret".utf8))
        XCTAssertEqual(try store.getInherited(node: "h1", name: "shared").value(), Array("group secret".utf8))
        // Not acting as a node, the host key is not among the keys.
        XCTAssertFalse(try site.store().keys.locations.contains(.sshHostKey(hostKey.privatePath)))
    }

    func testHostKeyThatIsMissingOrOffIsSkipped() throws {
        let (site, hostKey) = try makeSite()
        try FileManager.default.removeItem(atPath: hostKey.privatePath)
        try FileManager.default.removeItem(atPath: site.controllerKeyPath)
        let store = try site.store(SecretStoreOptions(actingAsNode: "h1"))
        XCTAssertThrowsError(try store.getInherited(node: "h1", name: "pw").value()) { error in
            XCTAssertTrue("\(error)".contains("no age key found (tried"), "\(error)")
        }
        let inventory = site.path("inventory.conf")
        let off = try String(contentsOfFile: inventory, encoding: .utf8)
            .replacingOccurrences(of: "node_ssh_host_key_path = \(hostKey.privatePath)", with: "node_ssh_host_key_path =")
        try site.write(off, to: "inventory.conf")
        XCTAssertFalse(try site.store(SecretStoreOptions(actingAsNode: "h1")).keys.locations.contains { "\($0)".contains("ssh_host") })
    }

    func testValidateChecksTheHostFingerprint() throws {
        let (matching, _) = try makeSite(fingerprint: { $0.fingerprint })
        XCTAssertEqual(try SiteValidator(site: matching.site()).findings().map(\.description), [])
        let wrong = "SHA256:" + String(repeating: "A", count: 43)
        let (site, hostKey) = try makeSite(fingerprint: { _ in wrong })
        XCTAssertEqual(try SiteValidator(site: site.site()).findings().map(\.description),
                       ["\(site.path("nodes/h1.conf")): node \"h1\": ssh_host_fingerprint \(wrong) is not the fingerprint of its SSH age_pubkey (\(hostKey.fingerprint))"])
        XCTAssertEqual(try site.site().nodeData("h1").sshHostFingerprint, wrong)
    }

    private func stanzaTypes(_ armored: String) throws -> [String] {
        try Header.parse(Array(armored.utf8)).stanzas.map(\.type)
    }
}
