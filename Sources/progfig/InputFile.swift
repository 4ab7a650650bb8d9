import AgeFormat
import Foundation
import SecureIO

/// An input named on the command line, open for reading: a file, or standard input for `-`.
struct InputFile {
    /// The open descriptor; standard input's is never closed.
    let fd: Int32
    /// The path for messages, or nil for standard input.
    let path: String?

    /// Opens `path` with open(2); nil or `-` means standard input. `kind` names the file in errors.
    init(path: String?, kind: String = "input file") throws {
        guard let path, path != "-" else {
            fd = STDIN_FILENO
            self.path = nil
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError("cannot open \(kind): \(String(cString: strerror(errno)))", file: path)
        }
        self.fd = fd
        self.path = path
    }

    /// The input as a byte source for streaming.
    var source: FileDescriptorSource { FileDescriptorSource(fd: fd, name: path ?? "standard input") }

    /// Reads the whole input; for small files such as keys.
    func readAll() throws -> [UInt8] {
        var source = self.source
        return try source.readToEnd()
    }

    /// Closes the file; does nothing for standard input.
    func close() {
        if fd != STDIN_FILENO { Foundation.close(fd) }
    }

    /// Opens `path`, passes it to `body`, and closes it.
    static func with<R>(path: String?, kind: String = "input file", _ body: (InputFile) throws -> R) throws -> R {
        let input = try InputFile(path: path, kind: kind)
        defer { input.close() }
        return try body(input)
    }
}
