import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// The project's deterministic plaintext stream: byte i = (i * 31 + 7) mod 251.
func plaintextStream(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count { out[i] = UInt8((i &* 31 &+ 7) % 251) }
    return out
}

/// Runs `body`, requiring it to throw an `AgeError`, and returns that error.
@discardableResult
func assertAgeError<T>(_ expected: AgeError.Kind, _ message: @autoclosure () -> String = "",
                       file: StaticString = #filePath, line: UInt = #line,
                       _ body: () throws -> T) -> AgeError? {
    do {
        _ = try body()
        XCTFail("expected an AgeError of kind \(expected), but nothing was thrown. \(message())", file: file, line: line)
        return nil
    } catch let error as AgeError {
        XCTAssertEqual(error.kind, expected, "\(message()) — message: \(error.message)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected an AgeError of kind \(expected), got \(type(of: error)): \(error). \(message())", file: file, line: line)
        return nil
    }
}

/// Decrypts `ciphertext` into an array sink, returning the error (if any) and everything released.
func decryptCollecting(_ decryptor: Decryptor, _ ciphertext: [UInt8],
                       armor: Decryptor.ArmorMode = .detect) -> (AgeError?, [UInt8]) {
    var sink = ArraySink()
    do {
        try decryptor.decrypt(from: ArraySource(ciphertext), to: &sink, armor: armor)
        return (nil, sink.bytes)
    } catch let e as AgeError {
        return (e, sink.bytes)
    } catch {
        return (AgeError(.usage, "unexpected error type \(type(of: error)): \(error)"), sink.bytes)
    }
}

/// A fresh temporary directory, removed when the test case finishes.
func makeTempDir(_ testCase: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("agetests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// The result of running an external program.
struct ProcessResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
}

/// Runs `executable` with `arguments`, feeding `stdin` (or /dev/null) and collecting stdout/stderr.
func runProcess(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil,
                environment: [String: String]? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let outPipe = Pipe(), errPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    let inPipe = Pipe()
    if stdin != nil { p.standardInput = inPipe } else { p.standardInput = FileHandle.nullDevice }
    try p.run()
    // Drain stdout and stderr on background threads so large outputs cannot deadlock.
    let outBox = DataBox(), errBox = DataBox()
    let group = DispatchGroup()
    for (pipe, box) in [(outPipe, outBox), (errPipe, errBox)] {
        group.enter()
        DispatchQueue.global().async {
            box.set(pipe.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
    }
    if let stdin {
        inPipe.fileHandleForWriting.write(Data(stdin))
        try inPipe.fileHandleForWriting.close()
    }
    group.wait()
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, stdout: [UInt8](outBox.get()),
                         stderr: String(decoding: errBox.get(), as: UTF8.self))
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// The directory of the project's own test vectors.
let projectVectorsDir = repositoryRoot.appendingPathComponent("TestVectors")

/// An outside tool (age, rage, ssh-keygen, python3) that a test runs failed.
struct ToolFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
