import AgeFormat
import Foundation
import ProgfigSecrets

/// Where a command writes its result: standard output, or a file that appears only when the
/// whole result was written (an `AtomicOutputFile`).
struct OutputSink: ByteSink {
    private enum Target {
        case standardOutput(FileDescriptorSink)
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
