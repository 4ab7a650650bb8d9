import SecureIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where commands write: values to standard output exactly as stored, notes to standard error.
/// A failed write to standard output (a full disk, a closed pipe) is an error like any other.
enum Output {
    /// Writes `bytes` to standard output unchanged.
    static func raw(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try raw($0) }
    }

    /// Writes `bytes` to standard output unchanged.
    static func raw(_ bytes: UnsafeRawBufferPointer) throws {
        var out = FileDescriptorSink(fd: STDOUT_FILENO, name: "standard output")
        try out.write(bytes)
    }

    /// Writes a line to standard output.
    static func line(_ text: String) throws {
        try raw(Array((text + "\n").utf8))
    }

    /// Writes an informational line to standard error (suppressed by callers under --quiet).
    static func note(_ text: String) {
        standardError("progfig: \(text)\n")
    }

    /// Writes `text` to standard error. Nothing can be reported when standard error itself
    /// fails, so that failure is ignored.
    static func standardError(_ text: String) {
        var err = FileDescriptorSink(fd: STDERR_FILENO, name: "standard error")
        try? Array(text.utf8).withUnsafeBytes { try err.write($0) }
    }
}
