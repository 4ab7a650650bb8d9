import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serializes read-modify-write cycles on a file across threads and processes with flock(2).
///
/// The lock is taken on the directory holding the target, which is never replaced (the target
/// itself is, by `AtomicFile`'s rename) and leaves no lock files in the site for people to commit.
/// Each call opens its own descriptor, so calls from threads of one process exclude each other too.
public enum FileLock {
    /// The directory locked for `url`.
    public static func lockURL(for url: URL) -> URL {
        url.standardizedFileURL.deletingLastPathComponent()
    }

    /// Runs `body` while holding an exclusive lock for `url`, blocking until the lock is free.
    public static func withExclusiveLock<T>(for url: URL, _ body: () throws -> T) throws -> T {
        try withExclusiveLocks(for: [url], body)
    }

    /// Runs `body` while holding the locks for all of `urls` at once. Each directory is locked once
    /// (two descriptors of one directory would exclude each other) and in path order, so processes
    /// taking overlapping sets of locks cannot deadlock.
    public static func withExclusiveLocks<T>(for urls: [URL], _ body: () throws -> T) throws -> T {
        let directories = Set(urls.map { lockURL(for: $0).path }).sorted()
        func lock(from index: Int) throws -> T {
            guard index < directories.count else { return try body() }
            return try withLock(directory: directories[index]) { try lock(from: index + 1) }
        }
        return try lock(from: 0)
    }

    private static func withLock<T>(directory lockPath: String, _ body: () throws -> T) throws -> T {
        let fd = open(lockPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.system("cannot open directory to lock it", path: lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw IOFailure.system("cannot lock", path: lockPath) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
