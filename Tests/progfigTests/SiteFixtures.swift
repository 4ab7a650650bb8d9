import AgeFormat
import Foundation
import XCTest

/// A copy of the repository's Examples/ in a temporary directory: `base` holds controller.age,
/// keys/ (one key per node) and example_site/, exactly as scripts/demo lays them out.
struct ExampleSite {
    /// The temporary directory holding the copy.
    let base: URL

    /// The site root (holds inventory.conf).
    var root: URL { base.appendingPathComponent("example_site") }
    /// The controller's identity file, ../controller.age from the site.
    var controllerKey: URL { base.appendingPathComponent("controller.age") }
    /// Where `moveControllerKeyAway` puts the controller key.
    var controllerKeyAway: URL { base.appendingPathComponent("controller.age.away") }
    /// The site's inventory.conf.
    var inventory: URL { root.appendingPathComponent("inventory.conf") }

    /// The identity file of `node` (keys/NODE.age).
    func key(_ node: String) -> URL { base.appendingPathComponent("keys/\(node).age") }
    /// nodes/NODE.secrets.json.
    func nodeSecrets(_ node: String) -> URL { root.appendingPathComponent("nodes/\(node).secrets.json") }
    /// groups/GROUP.secrets.json.
    func groupSecrets(_ group: String) -> URL { root.appendingPathComponent("groups/\(group).secrets.json") }
    /// controller.secrets.json.
    var controllerSecrets: URL { root.appendingPathComponent("controller.secrets.json") }

    /// Moves the controller key aside, so only node keys remain (a node's view).
    func moveControllerKeyAway() throws {
        try FileManager.default.moveItem(at: controllerKey, to: controllerKeyAway)
    }

    /// Undoes `moveControllerKeyAway`.
    func restoreControllerKey() throws {
        try FileManager.default.moveItem(at: controllerKeyAway, to: controllerKey)
    }

    /// The plaintexts of the secrets shipped with the example site, by collection and name.
    static let knownSecrets: [String: [String: String]] = [
        "controller": ["backup_passphrase": "controller-only backup passphrase"],
        "node db1": ["db_password": "S3cret-db-pass"],
        "node web1": ["api_token": "web1 api token"],
        "group universal": ["ntp_key": "ntp.example.internal shared key"],
        "group webservers": ["tls_key": "tls-private-key-material"],
    ]

    /// The public keys in the example's key files.
    static let controllerPublicKey = "age1znrrflxgmnkm80cnyqqaqg6867p9u7dnqua7jadng3ask6qt8ujsl2chun"
    static let publicKeys = [
        "db1": "age1hg5c57qun3j5zvquadztttqlyav0te7530cg9f2xxeylrl9j4a0q45fn57",
        "web1": "age1kv34lhl3p48ppysuthxnw2f2cdpkxegs70pd6q8ddggesfx2l4ks60t4kz",
        "web2": "age1gprpl08gaterqw2gyq7elpu33xhcx0s22j7wu5824pkj7xqjr98qkpahum",
    ]
}

/// Environment variables that select a site or keys; cleared for every run unless a test sets them.
let progfigEnvironmentVariables = ["PROGFIG_SITE", "PROGFIG_AGE_KEY", "PROGFIG_AGE_KEY_FILE", "PROGFIG_PASSPHRASE"]

extension XCTestCase {
    /// The repository root: three levels above this file (Tests/progfigTests/SiteFixtures.swift).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A fresh copy of Examples/ in a temporary directory, with the keys made 0600.
    func makeExampleSite() throws -> ExampleSite {
        let base = try makeTemporaryDirectory()
        let examples = Self.repositoryRoot.appendingPathComponent("Examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path) {
            try FileManager.default.copyItem(at: examples.appendingPathComponent(name), to: base.appendingPathComponent(name))
        }
        let site = ExampleSite(base: base)
        for url in [site.controllerKey, site.key("db1"), site.key("web1"), site.key("web2")] {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        }
        return site
    }

    /// Runs progfig in `directory` with the site/key environment variables emptied (progfig treats
    /// an empty variable as unset) and then `environment` applied.
    func progfig(_ arguments: [String], in directory: URL, stdin: Data = Data(),
                 environment: [String: String] = [:]) throws -> RunResult {
        var env: [String: String] = [:]
        for variable in progfigEnvironmentVariables { env[variable] = "" }
        env.merge(environment) { $1 }
        return try ProgfigRunner.run(arguments, in: directory, stdin: stdin, environment: env)
    }

    /// Runs `/bin/sh -c SCRIPT` with `$0` the progfig executable and `$@` the `arguments`, in the
    /// environment `progfig` runs in: for redirections and umasks.
    func progfigInShell(_ script: String, _ arguments: [String], in directory: URL) throws -> RunResult {
        var env: [String: String] = [:]
        for variable in progfigEnvironmentVariables { env[variable] = "" }
        return try ProgfigRunner.runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", script, ProgfigRunner.executableURL.path] + arguments,
                                            in: directory, environment: env)
    }

    /// Runs progfig and asserts exit 0 with an empty standard error (unless `allowStderr`).
    @discardableResult
    func progfigOK(_ arguments: [String], in directory: URL, stdin: Data = Data(), environment: [String: String] = [:],
                   allowStderr: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try progfig(arguments, in: directory, stdin: stdin, environment: environment)
        XCTAssertEqual(result.status, 0, "progfig \(arguments): \(result.stderr)", file: file, line: line)
        if !allowStderr {
            XCTAssertEqual(result.stderr, "", "progfig \(arguments)", file: file, line: line)
        }
        return result
    }

    /// The JSON object in a secrets file, as strings.
    func readSecretsFile(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        let data = try Data(contentsOf: url)
        let object = try JSONSerialization.jsonObject(with: data)
        guard let dictionary = object as? [String: String] else {
            XCTFail("\(url.path) is not a JSON object of strings", file: file, line: line)
            return [:]
        }
        return dictionary
    }

    /// Writes `secrets` as progfig does (sorted keys, two-space indent, no trailing newline);
    /// names and values must be ASCII.
    func writeSecretsFile(_ secrets: [String: String], to url: URL) throws {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        let body = secrets.keys.sorted().map { "  \(quoted($0)): \(quoted(secrets[$0]!))" }.joined(separator: ",\n")
        try Data((secrets.isEmpty ? "{}" : "{\n\(body)\n}").utf8).write(to: url)
    }

    /// The identities in an identity file.
    func loadIdentities(_ url: URL) throws -> [any Identity] {
        try IdentityFile.parse(String(contentsOf: url, encoding: .utf8), name: url.path)
    }

    /// Decrypts an armored value in-process with the identities in `keyFile`.
    func decryptArmored(_ armored: String, with keyFile: URL) throws -> [UInt8] {
        try Decryptor(identities: loadIdentities(keyFile)).decrypt(Array(armored.utf8))
    }

    /// Encrypts `value` in-process to `recipients` (age1… strings), armored.
    func encryptArmored(_ value: [UInt8], to recipients: [String]) throws -> String {
        let encryptor = try Encryptor(recipients: try recipients.map { try X25519Recipient($0) }, armored: true)
        return String(decoding: try encryptor.encrypt(value), as: UTF8.self)
    }

    /// The bytes of a file.
    func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    /// Every regular file under `directory` (relative path → contents), for byte-identity checks.
    func snapshot(_ directory: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        while let relative = enumerator?.nextObject() as? String {
            let url = directory.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = try Data(contentsOf: url)
            }
        }
        return result
    }

    /// Replaces the first line of `url` matching `old` exactly with `new`.
    func replaceLine(_ old: String, with new: String, in url: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        guard let index = lines.firstIndex(of: old) else {
            XCTFail("no line \"\(old)\" in \(url.path)", file: file, line: line)
            return
        }
        lines[index] = new
        try lines.joined(separator: "\n").write(to: url, atomically: false, encoding: .utf8)
    }
}
