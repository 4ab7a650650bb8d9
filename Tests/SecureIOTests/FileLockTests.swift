import Foundation
import XCTest
import SecureIO

/// Counts how many workers are inside the critical section at once.
private final class Occupancy: @unchecked Sendable {
    private let lock = NSLock()
    private var inside = 0
    private(set) var maximum = 0

    func enter() {
        lock.lock()
        inside += 1
        maximum = max(maximum, inside)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        inside -= 1
        lock.unlock()
    }
}

final class FileLockTests: XCTestCase {
    func testLockIsTheDirectoryAndLeavesNoFiles() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("controller.secrets.json")
        XCTAssertEqual(FileLock.lockURL(for: url).path, dir.standardizedFileURL.path)
        let result = try FileLock.withExclusiveLock(for: url) { 42 }
        XCTAssertEqual(result, 42)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testBodyErrorPropagatesAndReleasesLock() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("f")
        XCTAssertThrowsIOFailure(try FileLock.withExclusiveLock(for: url) { throw IOFailure("inner") }, "inner")
        XCTAssertEqual(try FileLock.withExclusiveLock(for: url) { "again" }, "again")
    }

    func testThreadsAreSerialized() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("counter")
        try AtomicFile.write(Data("0".utf8), to: url)
        let occupancy = Occupancy()
        let group = DispatchGroup()
        let workers = 4
        let rounds = 25
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) {
                for _ in 0..<rounds {
                    do {
                        try FileLock.withExclusiveLock(for: url) {
                            occupancy.enter()
                            defer { occupancy.leave() }
                            let value = Int(try String(contentsOf: url, encoding: .utf8)) ?? -1_000_000
                            usleep(500)
                            try AtomicFile.write(Data(String(value + 1).utf8), to: url)
                        }
                    } catch {
                        XCTFail("lock or write failed: \(error)")
                    }
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), String(workers * rounds))
        XCTAssertEqual(occupancy.maximum, 1)
    }

    func testLockBlocksAnotherThreadUntilReleased() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("f")
        let entered = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let occupancy = Occupancy()
        try FileLock.withExclusiveLock(for: url) {
            occupancy.enter()
            DispatchQueue.global().async {
                entered.signal()
                do {
                    try FileLock.withExclusiveLock(for: url) { occupancy.enter(); occupancy.leave() }
                } catch {
                    XCTFail("lock failed: \(error)")
                }
                done.signal()
            }
            entered.wait()
            XCTAssertEqual(done.wait(timeout: .now() + 0.3), .timedOut)
            occupancy.leave()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(occupancy.maximum, 1)
    }
}
