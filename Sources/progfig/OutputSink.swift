import AgeFormat
import Foundation
import ProgfigSecrets
import SecureIO

/// Where a command writes its result: standard output, an existing device or pipe (such as
/// /dev/null, written in place), or a regular file that appears only when the whole result was
/// written (an `AtomicOutputFile`).
struct OutputSink: ByteSink {
    private enum Target {
        case standardOutput(FileDescriptorSink)  // or another existing descriptor: a device or FIFO
        case file(AtomicOutputFile)
    }

    private var target: Target

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        switch target {
        case .standardOutput(var sink):
            try sink.write(bytes)
            target = .standardOutput(sink)
        case .file(let file):
            try file.write(bytes)
        }
    }

    /// Writes `text` as UTF-8.
    mutating func write(_ text: String) throws {
        try Array(text.utf8).withUnsafeBytes { try write($0) }
    }

    /// The mode creat(2) gives a new file: 0666 narrowed by the umask. For outputs that are not
    /// secret (ciphertext, public keys); secret outputs get 0600 whatever the umask.
    static var ordinaryFileMode: mode_t {
        let mask = umask(0)
        umask(mask)
        return 0o666 & ~mask
    }

    /// True when `path` (nil or `-`) means standard output.
    static func isStandardOutput(_ path: String?) -> Bool { path == nil || path == "-" }

    /// Runs `body` with a sink for `path` (nil or `-` for standard output). A file is created with
    /// permission bits `mode` and made visible only if `body` succeeds; with `overwrite: false` an
    /// existing file is never replaced. On failure no file and no temporary file remain.
    static func with(path: String?, mode: mode_t, overwrite: Bool, _ body: (inout OutputSink) throws -> Void) throws {
        guard let path, !isStandardOutput(path) else {
            var sink = OutputSink(target: .standardOutput(FileDescriptorSink(fd: STDOUT_FILENO, name: "standard output")))
            try body(&sink)
            return
        }
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR {
            // A device or FIFO can't be replaced by rename (and must never be): write to it in place.
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw CLIError("cannot open for writing: \(String(cString: strerror(errno)))", file: path) }
            defer { close(fd) }
            var sink = OutputSink(target: .standardOutput(FileDescriptorSink(fd: fd, name: path)))
            try body(&sink)
            return
        }
        let file = try AtomicOutputFile(path: path, mode: mode)
        do {
            var sink = OutputSink(target: .file(file))
            try body(&sink)
            try file.commit(overwrite: overwrite)
        } catch {
            file.abort()
            throw error
        }
    }
}
