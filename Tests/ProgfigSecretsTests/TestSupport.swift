import Foundation
import XCTest
import ProgfigSecrets

/// The example inventory.conf from the progfigsite inventory documentation, verbatim.
let documentedInventory = """
[secrets]
# The controller has an age key which can be used to decrypt any secret.
# When this file is not present, progfiguration will still work,
# but activities that require the secret key will throw errors.
controller_age_path = /path/to/controller.age

# We must hard code the public key in this file as well,
# so that it is available even when we aren't running on the controller.
controller_age_pub = paste the public key here

# The default/fallback location for the age key on each node.
node_fallback_age_path = /path/to/node.age

####
# Assign group membership
# You can specify more than one group by separating items with newlines or spaces
[groups]
group1 = node1

# group2 = node1 node2 node3

####
# Assign each node to a function.
# WARNING: Any node not listed here will not be visible to progfiguration,
# meaning that it cannot be deployed to, will not be in the 'universal' group, etc.
[node_function_map]
node1 = func1

####
# Set the list of roles for each function
# Roles can be separated by newlines or spaces
[function_role_map]
func1 = settz
# func2 = settz otherrole asdf etc

# TODO: fall back to this role so that we don't have to place new nodes in role_function_map
# and they will still come up.
default = settz

"""

extension XCTestCase {
    /// A fresh temporary directory (symlinks resolved) removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("progfig-tests-\(UUID().uuidString)")
            .resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `text` to `relativePath` under `directory`, creating intermediate directories.
    @discardableResult
    func writeFile(_ text: String, to relativePath: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// Asserts that `expression` throws a `SiteError` whose description is exactly `expected`.
func XCTAssertThrowsSiteError<T>(
    _ expression: @autoclosure () throws -> T, _ expected: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try expression()
        XCTFail("expected error: \(expected)", file: file, line: line)
    } catch let error as SiteError {
        XCTAssertEqual(error.description, expected, file: file, line: line)
    } catch {
        XCTFail("expected SiteError, got \(error)", file: file, line: line)
    }
}

// MARK: - Secrets site fixtures

import AgeFormat

/// The text of an age identity file for `identity`, as age-keygen writes it.
func identityFileText(_ identity: X25519Identity) -> String {
    "# created: 2024-01-01T00:00:00Z\n# public key: \(identity.x25519Recipient.encoded)\n\(identity.secretKeyString)\n"
}

/// A progfiguration site in a temporary directory with real age keys: inventory.conf, nodes/NAME.conf
/// files and key files, all written by the test. Key paths in inventory.conf are absolute.
final class SecretsSite {
    /// The site root (its name is the last path component).
    let root: URL
    /// The controller's identity; its file is written to `controllerKeyPath` by `writeControllerKey`.
    let controller = X25519Identity.generate()
    /// Each node's identity, created by `addNode`.
    private(set) var nodeKeys: [String: X25519Identity] = [:]

    init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// controller_age_path as written to inventory.conf.
    var controllerKeyPath: String { root.path + "/keys/controller.age" }
    /// node_fallback_age_path as written to inventory.conf.
    var fallbackKeyPath: String { root.path + "/keys/node.age" }

    /// Writes inventory.conf. `groups`, `nodes` (name, function) and `functionRoles` keep their order.
    func writeInventory(
        groups: [(String, String)] = [], nodes: [(String, String)], functionRoles: [(String, String)] = [("default", "settz")],
        controllerPub: String?? = .none, controllerPath: String?? = .none, fallbackPath: String?? = .none
    ) throws {
        var text = "[secrets]\n"
        if let path = controllerPath ?? controllerKeyPath { text += "controller_age_path = \(path)\n" }
        if let pub = controllerPub ?? controller.x25519Recipient.encoded { text += "controller_age_pub = \(pub)\n" }
        if let path = fallbackPath ?? fallbackKeyPath { text += "node_fallback_age_path = \(path)\n" }
        text += "\n[groups]\n" + groups.map { "\($0.0) = \($0.1)\n" }.joined()
        text += "\n[node_function_map]\n" + nodes.map { "\($0.0) = \($0.1)\n" }.joined()
        text += "\n[function_role_map]\n" + functionRoles.map { "\($0.0) = \($0.1)\n" }.joined()
        try write(text, to: "inventory.conf")
    }

    /// Creates an identity for `name` and writes nodes/NAME.conf with its `age_pubkey` (unless
    /// `pubkey` overrides it; `.some(nil)` leaves it out) and `age_key_path` when given.
    @discardableResult
    func addNode(_ name: String, pubkey: String?? = .none, keyPath: String? = nil) throws -> X25519Identity {
        let identity = X25519Identity.generate()
        nodeKeys[name] = identity
        var text = "[node]\naddress = \(name).example.com\n\n[sitedata]\n"
        if let key = pubkey ?? identity.x25519Recipient.encoded { text += "age_pubkey = \(key)\n" }
        if let keyPath { text += "age_key_path = \(keyPath)\n" }
        text += "flavor = plain\n"
        try write(text, to: "nodes/\(name).conf")
        return identity
    }

    func key(_ node: String) -> X25519Identity { nodeKeys[node]! }

    /// Writes the controller's identity file at `controllerKeyPath`.
    func writeControllerKey() throws { try writeKey(controller, to: controllerKeyPath) }

    /// Writes `identity` as an identity file at absolute `path`.
    func writeKey(_ identity: X25519Identity, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(identityFileText(identity).utf8).write(to: url)
    }

    /// Writes `text` at `relativePath` under the root.
    @discardableResult
    func write(_ text: String, to relativePath: String) throws -> URL {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// The absolute path of `relativePath` under the root.
    func path(_ relativePath: String) -> String { root.path + "/" + relativePath }

    /// The raw bytes of `relativePath`, nil when missing.
    func bytes(_ relativePath: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(relativePath)).map { [UInt8]($0) }
    }

    func site() throws -> Site { try Site(root: root) }

    /// An AgeSecretStore configured from inventory.conf, as `secrets_conf` would build it.
    func store(_ options: SecretStoreOptions = SecretStoreOptions()) throws -> AgeSecretStore {
        try AgeSecretStore(site: site(), options: options)
    }

    /// The secrets held in `relativePath` (a missing file holds none).
    func secrets(_ relativePath: String) throws -> [String: String] {
        try SecretsFile.read(root.appendingPathComponent(relativePath))
    }
}

/// Decrypts an armored or binary age value with exactly `identities`.
func decrypt(_ armored: String, with identities: [X25519Identity]) throws -> String {
    String(decoding: try Decryptor(identities: identities).decrypt(Array(armored.utf8)), as: UTF8.self)
}

/// The number of recipient stanzas in an age value's header.
func stanzaCount(_ armored: String) throws -> Int {
    try Header.parse(Array(armored.utf8)).stanzas.count
}

// MARK: - Subprocesses

/// The outcome of a finished subprocess.
struct ProcessResult {
    let status: Int32
    let stdout: [UInt8]
    let stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `executable` with `arguments`, feeding `stdin`; stdout and stderr are collected via files
/// so large outputs never block.
func runProcess(_ executable: String, _ arguments: [String], stdin: [UInt8] = []) throws -> ProcessResult {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("progfig-proc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
    try Data(stdin).write(to: inURL)
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let input = try FileHandle(forReadingFrom: inURL), output = try FileHandle(forWritingTo: outURL), error = try FileHandle(forWritingTo: errURL)
    defer { try? input.close(); try? output.close(); try? error.close() }
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: [UInt8](try Data(contentsOf: outURL)),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// The python3 interpreter used to check compatibility with the original (nil when absent).
let python3Path: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs a python3 program with `stdin`, failing the test (by throwing) when it exits non-zero.
func runPython(_ program: String, stdin: [UInt8] = [], file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
    guard let python = python3Path else { throw XCTSkip("python3 is not installed") }
    let result = try runProcess(python, ["-c", program], stdin: stdin)
    guard result.status == 0 else {
        throw SiteError("python3 exited \(result.status): \(result.stderr)")
    }
    return result.stdout
}

/// The age binary, when installed (used to check that values written by the original's tool work).
let ageBinaryPath: String? = ["/usr/bin/age", "/usr/local/bin/age"].first { FileManager.default.isExecutableFile(atPath: $0) }
