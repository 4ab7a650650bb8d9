#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Removes the temporary files of unfinished `AtomicOutputFile`s and `PrivateTemporaryFile`s when
/// the process is interrupted (SIGINT, SIGTERM, SIGHUP), then lets the signal end the process as it
/// would have: an interrupted decryption or edit leaves no plaintext behind. Paths are copied into
/// buffers prepared in advance, so the handler only calls open, fstat, write, fsync, close, unlink
/// and rmdir, which are safe in a signal handler.
public enum InterruptCleanup {
    /// Unfinished files tracked at once; more are written normally, just not cleaned on interrupt.
    static let slotCount = 16
    private static let pathCapacity = Int(PATH_MAX) + 1

    /// Per slot: a path buffer, and whether the slot holds a registered path (read by the handler).
    private nonisolated(unsafe) static let paths = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * pathCapacity)
    private nonisolated(unsafe) static let used: UnsafeMutablePointer<Bool> = {
        let flags = UnsafeMutablePointer<Bool>.allocate(capacity: slotCount)
        flags.initialize(repeating: false, count: slotCount)
        return flags
    }()
    /// Per slot: whether the file is overwritten with zeros before it is removed.
    private nonisolated(unsafe) static let overwrite: UnsafeMutablePointer<Bool> = {
        let flags = UnsafeMutablePointer<Bool>.allocate(capacity: slotCount)
        flags.initialize(repeating: false, count: slotCount)
        return flags
    }()
    /// Zeros written over files by the handler, allocated in advance.
    private nonisolated(unsafe) static let zeros: UnsafeMutableRawPointer = {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: zeroCount, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: zeroCount)
        return buffer
    }()
    private static let zeroCount = 4096
    private static let lock = NSLock()

    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP, leaving alone a signal the process
    /// was started with ignored (as under nohup). For programs: a library should not take signals.
    public static func installHandlers() {
        _ = (used, overwrite, zeros)  // set up the slots before any handler can run
        let signals = [SIGINT, SIGTERM, SIGHUP]
        // Blocked while a handler is tried and an ignored signal's SIG_IGN put back, so that a
        // signal arriving in between waits (and is dropped if ignored) instead of ending the process.
        var block = sigset_t(), previousMask = sigset_t()
        sigemptyset(&block)
        for sig in signals { sigaddset(&block, sig) }
        pthread_sigmask(SIG_BLOCK, &block, &previousMask)
        for sig in signals {
            let previous = signal(sig, removeTemporaryFilesAndResignal)
            if isIgnore(previous) { signal(sig, SIG_IGN) }
        }
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
    }

    /// Tracks `path` (a file, or an empty directory) until `unregister`; with `overwrite`, the
    /// file's bytes are overwritten with zeros before it is removed. Nil when every slot is taken
    /// or the path is too long.
    static func register(_ path: String, overwrite wipe: Bool = false) -> Int? {
        path.withCString { source in
            guard strlen(source) < pathCapacity else { return nil }
            lock.lock()
            defer { lock.unlock() }
            guard let slot = (0..<slotCount).first(where: { !used[$0] }) else { return nil }
            strcpy(paths + slot * pathCapacity, source)
            overwrite[slot] = wipe
            used[slot] = true
            return slot
        }
    }

    /// Stops tracking the path in `slot`.
    static func unregister(_ slot: Int) {
        lock.lock()
        defer { lock.unlock() }
        used[slot] = false
    }

    fileprivate static func removeAll() {
        for slot in 0..<slotCount where used[slot] {
            if overwrite[slot] { overwriteWithZeros(paths + slot * pathCapacity) }
            unlink(paths + slot * pathCapacity)
        }
        // Directories last, once the files in them are gone.
        for slot in 0..<slotCount where used[slot] {
            rmdir(paths + slot * pathCapacity)
        }
    }

    /// Overwrites the regular file at `path` with zeros, over its whole length, and syncs it.
    /// Safe in a signal handler. Returns false when the file could not be opened or written.
    @discardableResult
    static func overwriteWithZeros(_ path: UnsafePointer<CChar>) -> Bool {
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        var left = Int(info.st_size)
        while left > 0 {
            let n = write(fd, zeros, min(left, zeroCount))
            if n <= 0 { return false }
            left -= n
        }
        return fsync(fd) == 0
    }

    /// Whether `handler`, as signal(2) returned it, is SIG_IGN (compared as addresses: C function
    /// pointers are not Equatable in Swift).
    private static func isIgnore<Handler>(_ handler: Handler) -> Bool {
        unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}

/// The signal handler: removes the tracked files, restores the default action and raises the
/// signal again (it is delivered when the handler returns), so the exit status still tells that
/// the process was interrupted.
private func removeTemporaryFilesAndResignal(_ sig: Int32) {
    InterruptCleanup.removeAll()
    signal(sig, SIG_DFL)
    raise(sig)
}
