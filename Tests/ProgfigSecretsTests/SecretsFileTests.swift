import AgeFormat
import Foundation
import XCTest
import ProgfigSecrets
import SecureIO

/// SecretsFile must read and write exactly what the original's json.dump(indent=2, sort_keys=True) does.
final class SecretsFileTests: XCTestCase {
    /// Python's json.dumps(obj, indent=2, sort_keys=True) of `secrets`, handed over as JSON on stdin.
    private func pythonDumps(_ secrets: [String: String]) throws -> [UInt8] {
        let input = try JSONSerialization.data(withJSONObject: secrets)
        return try runPython("import json,sys; sys.stdout.write(json.dumps(json.load(sys.stdin), indent=2, sort_keys=True))",
                             stdin: [UInt8](input))
    }

    private func armoredSample(_ text: String) throws -> String {
        let id = X25519Identity.generate()
        return String(decoding: try Encryptor(recipients: [id.x25519Recipient], armored: true).encrypt(Array(text.utf8)), as: UTF8.self)
    }

    func testEncodeMatchesPythonByteForByte() throws {
        let secrets: [String: String] = [
            "plain": "value",
            "ünïcödé naïve": "wert",
            "日本語": "値",
            "emoji 🎉 party": "🎉",
            "quote\"inside": "say \"hi\"",
            "back\\slash": "C:\\path\\to",
            "new\nline": "a\nb\r\nc\td",
            "ctrl\u{01}\u{1f}\u{7f}": "\u{08}\u{0c}\u{00}",
            "slash/and space": "</script>",
            "Zed": "upper sorts before lower",
            "a": "",
            "age": try armoredSample("s3cret"),
            "age2": try armoredSample(String(repeating: "long ", count: 200)),
        ]
        let ours = SecretsFile.encode(secrets)
        let python = try pythonDumps(secrets)
        XCTAssertEqual(String(decoding: ours, as: UTF8.self), String(decoding: python, as: UTF8.self))
        XCTAssertEqual(ours, python)
        XCTAssertTrue(ours.allSatisfy { $0 < 0x80 }, "ensure_ascii output")
        XCTAssertEqual(try SecretsFile.parse(Data(ours), path: "x.json"), secrets)
    }

    func testEncodeSortsByCodePointLikePython() throws {
        // U+FF21 (fullwidth A) sorts after U+1F600 in UTF-16 order but before it by code point.
        let secrets = ["\u{FF21}": "1", "\u{1F600}": "2", "b": "3", "B": "4", "é": "5", "z": "6"]
        XCTAssertEqual(SecretsFile.encode(secrets), try pythonDumps(secrets))
        XCTAssertEqual(String(decoding: SecretsFile.encode(secrets), as: UTF8.self), """
            {
              "B": "4",
              "b": "3",
              "z": "6",
              "\\u00e9": "5",
              "\\uff21": "1",
              "\\ud83d\\ude00": "2"
            }
            """)
    }

    func testEmptyIsBraces() throws {
        XCTAssertEqual(SecretsFile.encode([:]), Array("{}".utf8))
        XCTAssertEqual(SecretsFile.encode([:]), try pythonDumps([:]))
        XCTAssertEqual(try SecretsFile.parse(Data("{}".utf8), path: "e.json"), [:])
    }

    func testSingleEntryExactText() {
        XCTAssertEqual(String(decoding: SecretsFile.encode(["k": "line1\nline2"]), as: UTF8.self),
                       "{\n  \"k\": \"line1\\nline2\"\n}")
    }

    func testMissingFileHoldsNoSecrets() throws {
        let dir = try makeTemporaryDirectory()
        XCTAssertEqual(try SecretsFile.read(dir.appendingPathComponent("none.secrets.json")), [:])
    }

    func testInvalidJSONNamesFile() throws {
        let dir = try makeTemporaryDirectory()
        let url = try writeFile("{\"a\": \"b\",", to: "nodes/n1.secrets.json", in: dir)
        XCTAssertThrowsSiteError(try SecretsFile.read(url),
                                 "\(url.path): not valid JSON; expected an object mapping secret names to armored age values")
        try writeFile("", to: "nodes/n1.secrets.json", in: dir)
        XCTAssertThrowsSiteError(try SecretsFile.read(url),
                                 "\(url.path): not valid JSON; expected an object mapping secret names to armored age values")
    }

    func testNonObjectNamesFile() throws {
        let dir = try makeTemporaryDirectory()
        let url = try writeFile("[\"a\", \"b\"]", to: "groups/g.secrets.json", in: dir)
        XCTAssertThrowsSiteError(try SecretsFile.read(url),
                                 "\(url.path): expected a JSON object mapping secret names to armored age values")
    }

    func testNonStringValuesNameFileAndSecret() throws {
        let dir = try makeTemporaryDirectory()
        for (json, name) in [("{\"n\": 1}", "n"), ("{\"b\": true}", "b"), ("{\"z\": null}", "z"),
                             ("{\"o\": {\"x\": \"y\"}}", "o"), ("{\"l\": [\"x\"]}", "l")] {
            let url = try writeFile(json, to: "controller.secrets.json", in: dir)
            XCTAssertThrowsSiteError(try SecretsFile.read(url), "\(url.path): secret \"\(name)\" is not a string")
        }
    }

    func testUnreadablePathNamesFile() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("nodes/n1.secrets.json")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        XCTAssertThrowsSiteError(try SecretsFile.read(url), "\(url.path): cannot read: Is a directory")
    }

    /// A file named twice in one update is changed once, not twice from two stale copies.
    func testUpdateOfTheSameFileNamedTwiceChangesItOnce() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("nodes/n1.secrets.json")
        var calls = 0
        try SecretsFile.update([url, url, dir.appendingPathComponent("nodes/../nodes/n1.secrets.json")]) { _, secrets in
            calls += 1
            secrets["k\(calls)"] = "v"
        }
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(try SecretsFile.read(url), ["k1": "v"])
    }

    func testUpdateCreatesDirectoryAndFile() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("groups/new.secrets.json")
        let count = try SecretsFile.update(url) { secrets -> Int in
            secrets["x"] = "1"
            return secrets.count
        }
        XCTAssertEqual(count, 1)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{\n  \"x\": \"1\"\n}")
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o644)
    }

    func testUpdateErrorLeavesFileUntouched() throws {
        let dir = try makeTemporaryDirectory()
        let url = try writeFile("{\n  \"keep\": \"me\"\n}", to: "n.secrets.json", in: dir)
        XCTAssertThrowsSiteError(try SecretsFile.update(url) { secrets in
            secrets["new"] = "value"
            throw SiteError("stop")
        }, "stop")
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{\n  \"keep\": \"me\"\n}")
    }

    /// A file written by the original (python json.dump) with armored values from AgeFormat and,
    /// when installed, the age binary: read, decrypted, extended, and read back by python unchanged.
    func testPythonWrittenFileRoundTrip() throws {
        let site = try SecretsSite(root: makeTemporaryDirectory().appendingPathComponent("pysite"))
        try site.writeInventory(nodes: [("node1", "func1")])
        let node1 = try site.addNode("node1")
        try site.writeControllerKey()
        let recipients: [any Recipient] = [node1.x25519Recipient, site.controller.x25519Recipient]
        var original: [String: String] = [:]
        var plaintexts: [String: String] = [:]
        for (name, value) in [("db_password", "hunter2"), ("tls key", "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"),
                              ("ünicode \"quoted\" \\ name", "wert ✓")] {
            original[name] = String(decoding: try Encryptor(recipients: recipients, armored: true).encrypt(Array(value.utf8)), as: UTF8.self)
            plaintexts[name] = value
        }
        if let age = ageBinaryPath {
            let result = try runProcess(age, ["-a", "-r", node1.x25519Recipient.encoded, "-r", site.controller.x25519Recipient.encoded],
                                        stdin: Array("from the age binary".utf8))
            XCTAssertEqual(result.status, 0, result.stderr)
            original["age_cli_secret"] = result.text
            plaintexts["age_cli_secret"] = "from the age binary"
        }
        // Python writes the file exactly as the original does.
        let path = site.path("nodes/node1.secrets.json")
        _ = try runPython("import json,sys\nwith open(sys.argv[1], 'w') as f: json.dump(json.load(sys.stdin), f, indent=2, sort_keys=True)"
                              .replacingOccurrences(of: "sys.argv[1]", with: "'\(path)'"),
                          stdin: [UInt8](try JSONSerialization.data(withJSONObject: original)))
        let pythonBytes = try XCTUnwrap(site.bytes("nodes/node1.secrets.json"))
        XCTAssertEqual(pythonBytes, SecretsFile.encode(original))

        let store = try site.store()
        XCTAssertEqual(try store.list(.node("node1")), original.keys.sorted())
        for (name, value) in plaintexts {
            let secret = try store.get(.node("node1"), name: name)
            XCTAssertEqual(secret.armored, original[name])
            XCTAssertEqual(String(decoding: try secret.value(), as: UTF8.self), value)
        }

        let added = try store.store(name: "added", value: Array("new value".utf8), nodes: ["node1"], groups: [],
                                      controllerKey: false)
        let readBack = try runPython("import json,sys\nsys.stdout.write(json.dumps(json.load(open('\(path)'))))")
        let pythonView = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(readBack)) as? [String: String])
        var expected = original
        expected["added"] = added
        XCTAssertEqual(pythonView, expected)
        // The rewritten file is again exactly what python would have written.
        XCTAssertEqual(try XCTUnwrap(site.bytes("nodes/node1.secrets.json")), SecretsFile.encode(expected))
        XCTAssertEqual(try XCTUnwrap(site.bytes("nodes/node1.secrets.json")), try pythonDumps(expected))
        XCTAssertEqual(try decrypt(added, with: [node1]), "new value")
        if ageBinaryPath != nil {
            // The age binary decrypts the value written in-process.
            let keyPath = site.path("node1.key")
            try site.writeKey(node1, to: keyPath)
            let result = try runProcess(ageBinaryPath!, ["-d", "-i", keyPath], stdin: Array(added.utf8))
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.text, "new value")
        }
    }

    /// Python's json treats "café" spelled with U+00E9 and with "e" + U+0301 as two different keys;
    /// the original keeps both secrets. Swift's String equality (canonical equivalence) merges them
    /// when the file is read: one secret vanishes, and the survivor pairs one name with the other's
    /// value; the next update then deletes the other secret from disk. Acceptable behaviour: keep
    /// both, or refuse the file with an error naming it; never merge silently.
    func testCanonicallyEquivalentNamesAreNotMerged() throws {
        let dir = try makeTemporaryDirectory()
        let url = try writeFile("{\n  \"caf\\u00e9\": \"precomposed\",\n  \"cafe\\u0301\": \"decomposed\"\n}",
                                to: "nodes/n1.secrets.json", in: dir)
        do {
            let secrets = try SecretsFile.read(url)
            XCTAssertEqual(secrets.count, 2, "both secrets of the file must be read: \(secrets.map { ($0.key.unicodeScalars.map(\.value), $0.value) })")
        } catch let error as SiteError {
            XCTAssertEqual(error.file, url.path)
        }
        do { try SecretsFile.update(url) { $0["other"] = "x" } } catch let error as SiteError { XCTAssertEqual(error.file, url.path) }
        let readBack = try runPython("import json,sys\nsys.stdout.write(json.dumps(sorted((k, v) for k, v in json.load(open('\(url.path)')).items() if k.startswith('caf'))))")
        XCTAssertEqual(String(decoding: readBack, as: UTF8.self),
                       "[[\"cafe\\u0301\", \"decomposed\"], [\"caf\\u00e9\", \"precomposed\"]]",
                       "the original's secrets must survive an update")
    }

    func testSaveRemovesOnlyTemporaryFilesOfDeadWriters() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("n1.secrets.json")
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = dir.appendingPathComponent(".n1.secrets.json.tmp-\(finished.processIdentifier)-abc")
        let live = dir.appendingPathComponent(".n1.secrets.json.tmp-\(getpid())-def")
        let other = dir.appendingPathComponent(".n2.secrets.json.tmp-\(finished.processIdentifier)-ghi")
        for file in [dead, live, other] { XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: Data("{".utf8))) }
        XCTAssertEqual(SecretsFile.abandonedTemporaryFiles(in: dir)[url.lastPathComponent]?.map(\.lastPathComponent), [dead.lastPathComponent])
        try SecretsFile.update(url) { $0["a"] = "b" }
        // The dead writer's temporary file of n2 goes too: the first write into a directory removes
        // every abandoned temporary file there (AtomicOutputFile).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(),
                       [live.lastPathComponent, "n1.secrets.json"].sorted())
    }
}
