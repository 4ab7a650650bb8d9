import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written as a stream that appears at its path only once `commit` succeeds, so a failed or
/// interrupted writer (say, a decryption that hits a bad tag) never leaves a partial file behind.
///
/// Bytes go to `.NAME.tmp-PID-RANDOM` in the target's directory, created exclusively. `commit`
/// fsyncs it, moves it into place (replacing the target, or never replacing it), and fsyncs the
/// directory. `abort`, or deinitialising an uncommitted file, removes the temporary file. A process
/// killed outright (SIGKILL, a crash) cannot remove its own, so the first atomic file a process
/// creates in a directory removes the ones there whose process is gone.
public final class AtomicOutputFile: ByteSink {
    private enum State { case open, committed, aborted }

    /// The path the file appears at on `commit`.
    public let path: String
    /// The temporary file the bytes are written to until `commit`.
    public let temporaryPath: String
    private let directory: String
    private var fd: Int32
    private var state = State.open
    /// The temporary file's place in `InterruptCleanup`, which removes it if the process is interrupted.
    private var cleanupSlot: Int?

    /// Creates the temporary file next to `path` with exactly the permission bits `mode` (not
    /// narrowed by the umask); nothing appears at `path` until `commit`.
    public init(path: String, mode: mode_t = 0o644) throws {
        let slash = path.lastIndex(of: "/")
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != ".." else {
            throw IOFailure("not a file name", path: path)
        }
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            throw IOFailure("exists and is not a regular file; refusing to replace it", path: path)
        }
        AtomicOutputFile.removeAbandonedTemporaryFilesOnce(in: directory)
        let random = String(UInt64.random(in: .min ... .max), radix: 36)
        temporaryPath = (directory == "/" ? "/" : directory + "/") + ".\(name).tmp-\(getpid())-\(random)"
        self.path = path
        cleanupSlot = InterruptCleanup.register(temporaryPath)
        fd = open(temporaryPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let failure = IOFailure.system("cannot create a temporary file in \(directory)", path: path)
            cleanupSlot.map(InterruptCleanup.unregister)
            throw failure
        }
        guard fchmod(fd, mode) == 0 else {
            let failure = IOFailure.system("cannot set the mode of the temporary file", path: path)
            abort()
            throw failure
        }
    }

    /// Creates the temporary file next to the file URL `url`; see `init(path:mode:)`.
    public convenience init(url: URL, mode: mode_t = 0o644) throws {
        try self.init(path: url.path, mode: mode)
    }

    deinit {
        if state == .open { abort() }
    }

    /// Appends `bytes` to the temporary file, retrying short writes and interruptions.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(state == .open, "AtomicOutputFile written after commit or abort")
        var offset = 0
        while offset < bytes.count {
            let n = writeSome(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw IOFailure.system("cannot write", path: path, code: n < 0 ? errno : EIO)
        }
    }

    /// Makes the written bytes durable and visible at `path`. With `overwrite: false` an existing
    /// file at `path` is never replaced: the commit fails and the temporary file is removed.
    public func commit(overwrite: Bool) throws {
        precondition(state == .open, "AtomicOutputFile committed after commit or abort")
        do {
            guard fsync(fd) == 0 else { throw IOFailure.system("cannot fsync", path: path) }
            let closed = close(fd)
            fd = -1
            guard closed == 0 else { throw IOFailure.system("cannot close", path: path) }
            if overwrite {
                guard rename(temporaryPath, path) == 0 else { throw IOFailure.system("cannot rename the temporary file into place", path: path) }
            } else {
                guard link(temporaryPath, path) == 0 else {
                    let code = errno
                    if code == EEXIST { throw IOFailure("already exists; refusing to overwrite it", path: path, code: code) }
                    throw IOFailure.system("cannot link the temporary file into place", path: path, code: code)
                }
                unlink(temporaryPath)
            }
        } catch {
            abort()
            throw error
        }
        state = .committed
        cleanupSlot.map(InterruptCleanup.unregister)
        try syncDirectory()
    }

    /// Discards the temporary file, leaving the target path as it was; does nothing after
    /// `commit` or a previous `abort`.
    public func abort() {
        guard state == .open else { return }
        state = .aborted
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporaryPath)
        cleanupSlot.map(InterruptCleanup.unregister)
    }

    /// Fsyncs the directory so the rename or link survives a crash; file systems that cannot
    /// fsync a directory (EINVAL) are accepted as they are.
    private func syncDirectory() throws {
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { throw IOFailure.system("cannot open \(directory) to fsync it", path: path) }
        defer { close(dirfd) }
        guard fsync(dirfd) == 0 || errno == EINVAL else {
            throw IOFailure.system("cannot fsync \(directory)", path: path)
        }
    }
}

extension AtomicOutputFile {
    private static let cleanedLock = NSLock()
    private nonisolated(unsafe) static var cleanedDirectories = Set<String>()

    /// The temporary files in `directory` that atomic files of processes no longer running left
    /// behind: `.NAME.tmp-PID-RANDOM`, regular files owned by this user, whose PID does not exist.
    /// (A PID now used by another process keeps its file; the next writer after that one removes it.)
    public static func abandonedTemporaryFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name -> String? in
            guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return nil }
            let fields = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, !fields[1].isEmpty,
                  fields[1].allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLowercase) }) else { return nil }
            let path = (directory == "/" ? "/" : directory + "/") + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
                  kill(pid, 0) != 0, errno == ESRCH else { return nil }
            return path
        }
    }

    /// Removes `abandonedTemporaryFiles(in:)` the first time this process writes to `directory`.
    private static func removeAbandonedTemporaryFilesOnce(in directory: String) {
        let first = cleanedLock.withLock { cleanedDirectories.insert(directory).inserted }
        guard first else { return }
        for path in abandonedTemporaryFiles(in: directory) { unlink(path) }
    }
}

/// write(2), outside the class so the name is not shadowed by `AtomicOutputFile.write`.
private func writeSome(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
