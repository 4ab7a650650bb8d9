import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces files atomically and durably, so readers see the old or the new content, never a mix,
/// and a crash never leaves a truncated secrets file behind.
///
/// The data goes to `.NAME.tmp-PID-RANDOM` in the target's directory (created exclusively with the
/// given mode), is fsynced, then renamed over the target (or hard-linked to it when overwriting is
/// refused, so an existing file is never replaced), and the directory is fsynced. On failure before
/// the rename or link the temporary file is removed and the target is untouched.
public enum AtomicFile {
    /// Atomically writes `data` to `url` with permission bits `mode`; with `overwrite: false`,
    /// fails without touching anything when `url` already exists.
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o644, overwrite: Bool = true) throws {
        try write([UInt8](data), to: url, mode: mode, overwrite: overwrite)
    }

    /// Atomically writes `bytes` to `url` with permission bits `mode`; with `overwrite: false`,
    /// fails without touching anything when `url` already exists.
    public static func write(_ bytes: [UInt8], to url: URL, mode: mode_t = 0o644, overwrite: Bool = true) throws {
        let target = url.standardizedFileURL
        let directory = target.deletingLastPathComponent().path
        let temp = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())-\(String(UInt64.random(in: .min ... .max), radix: 36))")
            .path
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw posixError("cannot create temporary file", path: target.path)
        }
        do {
            defer { close(fd) }
            // fchmod gives exactly `mode`, which open(2) would have narrowed by the umask.
            guard fchmod(fd, mode) == 0 else { throw posixError("cannot set mode of temporary file", path: target.path) }
            try writeAll(fd, bytes, path: target.path)
            guard fsync(fd) == 0 else { throw posixError("cannot fsync temporary file", path: target.path) }
        } catch {
            unlink(temp)
            throw error
        }
        if overwrite {
            guard rename(temp, target.path) == 0 else {
                let failure = posixError("cannot rename temporary file over target", path: target.path)
                unlink(temp)
                throw failure
            }
        } else {
            guard link(temp, target.path) == 0 else {
                let code = errno
                unlink(temp)
                if code == EEXIST { throw SiteError("refusing to overwrite existing file", file: target.path) }
                throw posixError("cannot link temporary file to target", path: target.path, code: code)
            }
            unlink(temp)
        }
        try syncDirectory(directory)
    }
}

/// Writes every byte to `fd`, retrying short writes and interruptions.
private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    try bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw posixError("cannot write temporary file", path: path)
            }
            offset += written
        }
    }
}

/// Fsyncs a directory so a rename or link within it survives a crash.
private func syncDirectory(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw posixError("cannot open directory to fsync it", path: path) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw posixError("cannot fsync directory", path: path) }
}

/// A `SiteError` for a failed system call: the message, the system's reason, and the path.
func posixError(_ message: String, path: String, code: Int32 = errno) -> SiteError {
    SiteError("\(message): \(String(cString: strerror(code)))", file: path)
}
