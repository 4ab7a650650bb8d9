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
    private enum State { case open, closed, flushed, committed, aborted }

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
        abort()
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
        try flush()
        try publish(overwrite: overwrite)
        try Self.syncDirectory(directory, for: path)
    }

    /// Makes the temporary file's bytes durable (fsync) and closes it: the first step of `commit`.
    private func flush() throws {
        precondition(state == .open, "AtomicOutputFile flushed after flush, commit or abort")
        do {
            guard fsync(fd) == 0 else { throw IOFailure.system("cannot fsync", path: path) }
            let closed = close(fd)
            fd = -1
            guard closed == 0 else { throw IOFailure.system("cannot close", path: path) }
        } catch {
            abort()
            throw error
        }
        state = .flushed
    }

    /// Closes the temporary file without making it durable: `publishAll` then makes a whole
    /// batch durable at once, where one fsync per file would cost a journal commit per file.
    public func finishWriting() throws {
        precondition(state == .open, "AtomicOutputFile finished after flush, commit or abort")
        let closed = close(fd)
        fd = -1
        guard closed == 0 else {
            let failure = IOFailure.system("cannot close", path: path)
            abort()
            throw failure
        }
        state = .closed
    }

    /// Moves the flushed temporary file into place; durable once its directory is fsynced.
    func publish(overwrite: Bool) throws {
        precondition(state == .flushed, "AtomicOutputFile published before flush or twice")
        do {
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
    }

    /// Publishes closed files together: makes every temporary file durable at once (syncfs(2) of
    /// each file system holding them, on Linux; elsewhere an fsync of each), renames each into
    /// place in order, then fsyncs each of their directories once: one durability barrier for the
    /// whole batch instead of one per file. Each target is the old or the new file, never a torn
    /// one. Returns how many were published with the failure that stopped the rest (their
    /// temporary files are removed); the renames done are still made durable.
    public static func publishAll(_ files: [AtomicOutputFile]) -> (published: Int, failure: IOFailure?) {
        if let failure = makeDurable(files) {
            for file in files { file.abort() }
            return (0, failure)
        }
        var published = 0
        var failure: IOFailure?
        for file in files {
            do { try file.publish(overwrite: true) } catch {
                failure = error as? IOFailure ?? IOFailure("\(error)", path: file.path)
                break
            }
            published += 1
        }
        for file in files[published...] { file.abort() }
        var synced = Set<String>()
        for file in files[..<published] where synced.insert(file.directory).inserted {
            do { try syncDirectory(file.directory, for: file.path) } catch {
                failure = failure ?? (error as? IOFailure ?? IOFailure("\(error)", path: file.path))
            }
        }
        return (published, failure)
    }

    /// Discards the temporary file, leaving the target path as it was; does nothing after
    /// `commit` or a previous `abort`.
    public func abort() {
        guard state == .open || state == .closed || state == .flushed else { return }
        state = .aborted
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporaryPath)
        cleanupSlot.map(InterruptCleanup.unregister)
    }

    /// Makes closed temporary files durable: on Linux one syncfs per file system (found by
    /// their directories' device numbers), elsewhere an fsync of each file reopened.
    private static func makeDurable(_ files: [AtomicOutputFile]) -> IOFailure? {
        #if os(Linux)
        var devices = Set<UInt64>()
        for file in files where file.state == .closed {
            let dirfd = open(file.directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard dirfd >= 0 else { return IOFailure.system("cannot open \(file.directory) to sync it", path: file.path) }
            defer { close(dirfd) }
            var info = stat()
            guard fstat(dirfd, &info) == 0 else { return IOFailure.system("cannot stat \(file.directory)", path: file.path) }
            guard devices.insert(UInt64(info.st_dev)).inserted else { continue }
            guard linuxSyncfs(dirfd) == 0 else { return IOFailure.system("cannot sync the file system of \(file.directory)", path: file.path) }
        }
        #else
        for file in files where file.state == .closed {
            let fd = open(file.temporaryPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return IOFailure.system("cannot reopen the temporary file to fsync it", path: file.path) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { return IOFailure.system("cannot fsync", path: file.path) }
        }
        #endif
        for file in files where file.state == .closed { file.state = .flushed }
        return nil
    }

    /// Fsyncs `directory` so a rename or link into it survives a crash; file systems that cannot
    /// fsync a directory (EINVAL) are accepted as they are. `path` names the target in errors.
    static func syncDirectory(_ directory: String, for path: String) throws {
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

#if os(Linux)
/// syncfs(2), which Glibc's Swift module leaves out (it is a GNU extension).
@_silgen_name("syncfs")
private func linuxSyncfs(_ fd: Int32) -> Int32
#endif
