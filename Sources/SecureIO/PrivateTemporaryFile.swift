#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file for plaintext that must not outlive its use (a secret being edited): mode 0600 in a new
/// 0700 directory in memory-backed `$XDG_RUNTIME_DIR` or `/dev/shm` when present, else the
/// temporary directory. `remove()` overwrites every file in the directory with zeros and removes
/// it; an interrupt (SIGINT, SIGTERM, SIGHUP) does the same through `InterruptCleanup`.
public final class PrivateTemporaryFile {
    /// The private directory holding the file.
    public let directory: String
    /// The file's path.
    public let path: String
    private var slots: [Int] = []

    /// Where the private directory goes: `$XDG_RUNTIME_DIR`, else `/dev/shm`, else `$TMPDIR` or /tmp.
    public static func parentDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var isDirectory: ObjCBool = false
        for candidate in [environment["XDG_RUNTIME_DIR"], "/dev/shm"].compactMap({ $0 }) where !candidate.isEmpty {
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue,
               access(candidate, W_OK | X_OK) == 0 {
                return candidate
            }
        }
        return environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// Creates the directory and the file named `name` in it, holding `contents`.
    public init(name: String, contents: [UInt8], parent: String = PrivateTemporaryFile.parentDirectory()) throws {
        var template = Array((parent + "/progfig-edit.XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw IOFailure("cannot create a private temporary directory: \(String(cString: strerror(errno)))", path: parent)
        }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        path = directory + "/" + name
        // mkdtemp makes the directory 0700; the directory is tracked before the file exists, so an
        // interrupt from here on removes both.
        if let slot = InterruptCleanup.register(directory) { slots.append(slot) }
        if let slot = InterruptCleanup.register(path, overwrite: true) { slots.append(slot) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            remove()
            throw IOFailure("cannot create a private temporary file: \(reason)", path: path)
        }
        var sink = FileDescriptorSink(fd: fd, name: path)
        do {
            try contents.withUnsafeBytes { try sink.write($0) }
            close(fd)
        } catch {
            close(fd)
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// The file's current contents (the caller wipes them when done).
    public func read() throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure("cannot read the edited file: \(String(cString: strerror(errno)))", path: path) }
        defer { close(fd) }
        var source = FileDescriptorSource(fd: fd, name: path)
        return try source.readToEnd()
    }

    /// Overwrites every regular file in the directory (an editor may have left backups or swap
    /// files) with zeros, removes them and the directory, and stops tracking them. Safe to call twice.
    public func remove() {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names {
                let file = directory + "/" + name
                InterruptCleanup.overwriteWithZeros(file)
                unlink(file)
            }
        }
        rmdir(directory)
        slots.forEach(InterruptCleanup.unregister)
        slots = []
    }
}
