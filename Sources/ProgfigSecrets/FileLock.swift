import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serializes read-modify-write cycles on a file across threads and processes with flock(2).
///
/// The lock is taken on a sidecar file `.NAME.lock` beside the target (created if needed, never
/// deleted, so every locker agrees on the same inode); the target itself may be replaced freely,
/// e.g. by `AtomicFile`, while the lock is held. Each call opens its own descriptor, so calls from
/// threads of one process exclude each other too.
public enum FileLock {
    /// The sidecar lock file used for `url`: `.NAME.lock` in the same directory.
    public static func lockFileURL(for url: URL) -> URL {
        let target = url.standardizedFileURL
        return target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).lock")
    }

    /// Runs `body` while holding an exclusive lock for `url`, blocking until the lock is free.
    public static func withExclusiveLock<T>(for url: URL, _ body: () throws -> T) throws -> T {
        let lockPath = lockFileURL(for: url).path
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw posixError("cannot open lock file", path: lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw posixError("cannot lock", path: lockPath) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

/// A `SiteError` for a failed system call: the message, the system's reason, and the path.
func posixError(_ message: String, path: String, code: Int32 = errno) -> SiteError {
    SiteError("\(message): \(String(cString: strerror(code)))", file: path)
}
