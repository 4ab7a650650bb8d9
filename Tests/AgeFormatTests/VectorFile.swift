import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// One test vector in the CCTV format: `key: value` lines, a blank line, then the age file.
struct VectorFile {
    let name: String
    let fields: [(String, String)]
    let body: [UInt8]

    func values(_ key: String) -> [String] { fields.filter { $0.0 == key }.map(\.1) }
    func value(_ key: String) -> String? { values(key).first }

    init(url: URL) throws {
        name = url.lastPathComponent
        let data = [UInt8](try Data(contentsOf: url))
        guard let split = data.indices.first(where: { data[$0] == 0x0a && $0 + 1 < data.count && data[$0 + 1] == 0x0a })
            ?? (data.first == 0x0a ? -1 : nil) else {
            throw AgeError(.usage, "\(url.path): no blank line after the vector header")
        }
        let headerText = String(decoding: data[..<max(split, 0)], as: UTF8.self)
        fields = headerText.split(separator: "\n").compactMap { line in
            guard let r = line.range(of: ": ") else { return nil }
            return (String(line[..<r.lowerBound]), String(line[r.upperBound...]))
        }
        var payload = Array(data[(split + 2)...])
        if fields.contains(where: { $0 == ("compressed", "zlib") }) {
            payload = try VectorFile.inflate(payload)
        }
        body = payload
    }

    /// zlib-inflates with python3 (the testkit compresses its largest vectors).
    static func inflate(_ bytes: [UInt8]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw AgeError(.usage, "python3 could not inflate a compressed vector") }
        return [UInt8](out)
    }
}

/// The testkit's expectation names for each error kind.
func expectName(_ error: Error?) -> String {
    guard let error else { return "success" }
    guard let e = error as? AgeError else { return "unexpected \(type(of: error)): \(error)" }
    switch e.kind {
    case .header: return "header failure"
    case .noMatch: return "no match"
    case .hmac: return "HMAC failure"
    case .payload: return "payload failure"
    case .armor: return "armor failure"
    default: return "\(e.kind): \(e.message)"
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// The repository root, found from this source file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Decrypts `vector` with `identities`, returning the outcome class and the plaintext released.
func decryptVector(_ vector: VectorFile, identities: [any Identity]) -> (String, [UInt8]) {
    var sink = ArraySink()
    do {
        let d = Decryptor(identities: identities)
        try d.decrypt(from: ArraySource(vector.body), to: &sink, armor: vector.value("armored") == "yes" ? .required : .detect)
        return ("success", sink.bytes)
    } catch {
        return (expectName(error), sink.bytes)
    }
}
