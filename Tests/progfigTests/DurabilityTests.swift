import AgeFormat
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Many progfig processes writing one secrets file at once, and progfig killed mid-save: no
/// secret is ever lost, and the file is always whole.
final class DurabilityTests: XCTestCase {
    /// Starts `/bin/sh -c script` in `directory` with the site/key variables emptied; output goes to files in `logs`.
    private func startShell(_ script: String, arguments: [String], in directory: URL, logs: URL, tag: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh"] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for variable in progfigEnvironmentVariables { environment[variable] = nil }
        environment["PROGFIG"] = ProgfigRunner.executableURL.path
        process.environment = environment
        let out = logs.appendingPathComponent("\(tag).out"), err = logs.appendingPathComponent("\(tag).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// 8 shells at once, each storing 15 secrets one after another into web1's file: all 120 arrive.
    func testConcurrentSavesIntoOneFileLoseNothing() throws {
        let site = try makeExampleSite()
        let logs = try makeTemporaryDirectory()
        let script = """
            i=$1
            j=1
            while [ $j -le 15 ]; do
                "$PROGFIG" secret encrypt -q -n web1 --value "value $i.$j" --save-as "s_${i}_$j" || exit 1
                j=$((j + 1))
            done
            """
        let start = Date()
        let shells = try (1...8).map { try startShell(script, arguments: ["\($0)"], in: site.root, logs: logs, tag: "shell\($0)") }
        for (index, shell) in shells.enumerated() {
            shell.waitUntilExit()
            let err = (try? String(contentsOf: logs.appendingPathComponent("shell\(index + 1).err"), encoding: .utf8)) ?? ""
            XCTAssertEqual(shell.terminationStatus, 0, "shell \(index + 1): \(err)")
            XCTAssertEqual(err, "", "shell \(index + 1)")
        }
        print("DURABILITY: 120 concurrent saves by 8 processes in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")

        let secrets = try readSecretsFile(site.nodeSecrets("web1"))
        XCTAssertEqual(secrets.count, 121)
        XCTAssertEqual(Set(secrets.keys), Set((1...8).flatMap { i in (1...15).map { "s_\(i)_\($0)" } } + ["api_token"]))
        // Every value, decrypted by progfig with the controller key (the debug build needs ~30 ms a value).
        let json = try progfigOK(["secret", "decrypt", "-n", "web1", "--json"], in: site.root)
        let values = (try JSONSerialization.jsonObject(with: json.stdout) as? [String: [String: String]])?["node web1"] ?? [:]
        XCTAssertEqual(values.count, 121)
        for i in 1...8 {
            for j in 1...15 { XCTAssertEqual(values["s_\(i)_\(j)"], "value \(i).\(j)", "s_\(i)_\(j)") }
        }
        // And some of them in-process with web1's own key.
        let web1 = try loadIdentities(site.key("web1"))
        for i in 1...8 {
            for j in [1, 15] {
                XCTAssertEqual(try Decryptor(identities: web1).decrypt(Array(secrets["s_\(i)_\(j)"]!.utf8)), Array("value \(i).\(j)".utf8))
            }
        }
        XCTAssertEqual(try decryptArmored(secrets["api_token"]!, with: site.key("web1")), Array("web1 api token".utf8))
        XCTAssertEqual(try directoryListing(site.root.appendingPathComponent("nodes")),
                       ["db1.conf", "db1.secrets.json", "web1.conf", "web1.secrets.json", "web2.conf"])
    }

    /// A save killed with SIGKILL at a random moment leaves the 3,000 secrets already stored intact
    /// and the new one either complete or absent; only the killed process's temporary file may remain.
    func testSaveKilledAtRandomMomentsNeverDamagesTheFile() throws {
        let site = try makeExampleSite()
        let file = site.nodeSecrets("web1")
        let nodes = site.root.appendingPathComponent("nodes")
        let web1Identities = try loadIdentities(site.key("web1"))

        // 3,000 secrets, encrypted in-process to web1 and the controller, written as progfig writes them.
        // 60 distinct values, each stored under 50 names (the debug build needs ~30 ms an encryption).
        let recipients = try [ExampleSite.publicKeys["web1"]!, ExampleSite.controllerPublicKey].map { try X25519Recipient($0) }
        let encryptor = try Encryptor(recipients: recipients, armored: true)
        let distinct = try (0..<60).map { String(decoding: try encryptor.encrypt(Array("bulk value \($0)".utf8)), as: UTF8.self) }
        var original = try readSecretsFile(file)
        for n in 0..<3000 {
            original[String(format: "bulk_%04d", n)] = distinct[n % distinct.count]
        }
        XCTAssertEqual(original.count, 3001)
        try writeSecretsFile(original, to: file)
        let originalSize = try bytes(file).count

        // How long one save takes, started as the killed ones are (the second of two, so caches are warm).
        let logs = try makeTemporaryDirectory()
        let save = "exec \"$PROGFIG\" secret encrypt -q -n web1 --value \"$1\" --save-as \"$2\""
        var saveDuration = 0.0
        for warmup in 0..<2 {
            let start = Date()
            let process = try startShell(save, arguments: ["warm", "warmup_\(warmup)"], in: site.root, logs: logs, tag: "warm\(warmup)")
            process.waitUntilExit()
            saveDuration = Date().timeIntervalSince(start)
            XCTAssertEqual(process.terminationStatus, 0)
        }
        original = try readSecretsFile(file)
        XCTAssertEqual(original.count, 3003)

        let baseListing = try directoryListing(nodes)
        var completed: [String: String] = [:]  // name → armored value of the saves that made it (checked once)
        var strays: [String] = []
        var killedBeforeStart = 0, killedMidway = 0, finished = 0
        let testStart = Date()
        for k in 0..<25 {
            let name = "new_\(k)", value = "crash value \(k) \(UUID().uuidString)"
            let delay = Double.random(in: 0...(saveDuration * 1.2))
            let process = try startShell(save, arguments: [value, name], in: site.root, logs: logs, tag: "kill\(k)")
            usleep(useconds_t(delay * 1_000_000))
            let pid = process.processIdentifier
            kill(pid, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .exit {
                XCTAssertEqual(process.terminationStatus, 0, "save \(k) failed on its own")
                finished += 1
            }

            // The file parses, keeps every earlier secret unchanged, and has the new one whole or not at all.
            let now: [String: String]
            do { now = try readSecretsFile(file) } catch {
                XCTFail("iteration \(k) (killed after \(delay) s): the secrets file does not parse: \(error)")
                break
            }
            for (key, armored) in original where now[key] != armored {
                XCTFail("iteration \(k): \(key) changed or vanished")
            }
            for (key, armored) in completed {
                XCTAssertEqual(now[key], armored, "iteration \(k): earlier \(key)")
            }
            if let armored = now[name] {
                XCTAssertEqual(try Decryptor(identities: web1Identities).decrypt(Array(armored.utf8)), Array(value.utf8), "iteration \(k)")
                completed[name] = armored
                if process.terminationReason != .exit { killedMidway += 1 }
            } else {
                XCTAssertNotEqual(process.terminationReason, .exit, "iteration \(k): progfig exited 0 without storing \(name)")
                killedBeforeStart += 1
            }
            XCTAssertEqual(Set(now.keys), Set(original.keys).union(completed.keys), "iteration \(k): unexpected names")

            // Only the killed process's temporary file may be left, and never under the secrets file's name.
            for entry in try directoryListing(nodes) where !baseListing.contains(entry) && !strays.contains(entry) {
                let prefix = ".web1.secrets.json.tmp-\(pid)-"
                XCTAssertTrue(entry.hasPrefix(prefix) && entry.count > prefix.count, "iteration \(k): unexpected file \(entry)")
                XCTAssertFalse(entry.hasSuffix(".secrets.json"))
                strays.append(entry)
            }
        }
        print("DURABILITY: 25 killed saves on a \(originalSize)-byte file (one save \(String(format: "%.3f", saveDuration)) s): "
              + "\(completed.count) stored (\(finished) finished before the kill, \(killedMidway) killed after storing), "
              + "\(killedBeforeStart) not stored; \(strays.count) stray temporary file(s) left: \(strays.joined(separator: " ")); "
              + "\(String(format: "%.1f", Date().timeIntervalSince(testStart))) s")

        // The temporary files are not taken for secrets files: list, validate and a new save work,
        // and the next save removes the files of killed writers.
        let list = try progfigOK(["secret", "list", "-n", "web1"], in: site.root)
        XCTAssertEqual(list.stdoutText.split(separator: "\n").count, original.count + completed.count)
        try progfigOK(["secret", "encrypt", "-q", "-n", "web1", "--value", "after", "--save-as", "after"], in: site.root)
        XCTAssertEqual(try progfigOK(["secret", "decrypt", "-n", "web1", "--name", "after"], in: site.root).stdoutText, "after")
        XCTAssertEqual(try readSecretsFile(file).count, original.count + completed.count + 1)
        XCTAssertEqual(Set(try directoryListing(nodes)), Set(baseListing))

        // validate does not take them for secrets files either (on a small web1 file: the debug
        // build's validate needs ~30 ms a secret).
        try writeSecretsFile(["api_token": original["api_token"]!], to: file)
        let validate = try progfig(["validate"], in: site.root)
        XCTAssertEqual(validate.status, 0, validate.stdoutText + validate.stderr)
        XCTAssertEqual(validate.stdoutText, "")
    }

    /// A decryption interrupted (SIGINT, SIGTERM, SIGHUP) while its output is being written leaves
    /// no partial plaintext behind, and the process still ends by that signal. The input comes
    /// through a pipe that stops half way, so the interruption lands mid-output every time.
    func testInterruptedDecryptionLeavesNoPartialOutput() throws {
        let dir = try makeTemporaryDirectory()
        let key = X25519Identity.generate()
        try "\(key.secretKeyString)\n".write(to: dir.appendingPathComponent("key.txt"), atomically: false, encoding: .utf8)
        let file = try Encryptor(recipients: [key.x25519Recipient]).encrypt([UInt8](repeating: 7, count: 10 * PayloadStream.chunkSize))
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let (process, input) = try startDecryptionHalfWay(of: file, in: dir, to: "out.txt")
            XCTAssertTrue(try directoryListing(dir).contains(where: { $0.hasPrefix(".out.txt.tmp-") }), "no temporary output appeared")
            kill(process.processIdentifier, sig)
            process.waitUntilExit()
            try? input.fileHandleForWriting.close()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "signal \(sig)")
            XCTAssertEqual(process.terminationStatus, sig)
            XCTAssertEqual(try directoryListing(dir), ["key.txt"], "signal \(sig) left files behind")
        }
    }

    /// A decryption killed outright (SIGKILL) cannot remove its temporary output; the next progfig
    /// run that writes into the same directory removes it, and leaves a running process's alone.
    func testTemporaryOutputOfAKilledProcessIsRemovedByTheNextWriter() throws {
        let dir = try makeTemporaryDirectory()
        let key = X25519Identity.generate()
        try "\(key.secretKeyString)\n".write(to: dir.appendingPathComponent("key.txt"), atomically: false, encoding: .utf8)
        chmod(dir.appendingPathComponent("key.txt").path, 0o600)
        let file = try Encryptor(recipients: [key.x25519Recipient]).encrypt([UInt8](repeating: 7, count: 10 * PayloadStream.chunkSize))
        let (process, input) = try startDecryptionHalfWay(of: file, in: dir, to: "plain")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        let leftover = try XCTUnwrap(try directoryListing(dir).first { $0.hasPrefix(".plain.tmp-\(process.processIdentifier)-") },
                                     "SIGKILL left no temporary output to clean up")
        let running = ".other.tmp-\(getpid())-abc"  // this test's own process: alive
        XCTAssertTrue(FileManager.default.createFile(atPath: dir.appendingPathComponent(running).path, contents: Data()))

        let result = try ProgfigRunner.run(["age", "-r", key.x25519Recipient.encoded, "-o", "new.age"], in: dir, stdin: Data("x".utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(try directoryListing(dir).contains(leftover), "the killed process's plaintext is still there")
        XCTAssertEqual(try directoryListing(dir), [running, "key.txt", "new.age"].sorted())
    }

    /// Starts `progfig age -d -i key.txt -o OUTPUT` in `dir` with the first half of `file` on a
    /// pipe that stays open, and waits (20 s at most) until its temporary output appears: the
    /// first chunks are being written.
    private func startDecryptionHalfWay(of file: [UInt8], in dir: URL, to output: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = ProgfigRunner.executableURL
        process.arguments = ["age", "-d", "-i", "key.txt", "-o", output]
        process.currentDirectoryURL = dir
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(file.prefix(file.count / 2)))
        let deadline = Date().addingTimeInterval(20)
        while try !directoryListing(dir).contains(where: { $0.hasPrefix(".\(output).tmp-") }) && Date() < deadline {
            usleep(10_000)
        }
        return (process, input)
    }
}
