import AgeFormat
import Foundation
import SecureIO

/// Where passphrases come from: the environment variable `PROGFIG_PASSPHRASE` when it is set
/// (for scripts; nothing is asked), otherwise the terminal, read without echo.
struct PassphraseSource: Sendable {
    /// The environment variable that supplies the passphrase non-interactively.
    static let environmentVariable = "PROGFIG_PASSPHRASE"

    private let fromEnvironment: String?

    /// Reads `PROGFIG_PASSPHRASE` from `environment`.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        fromEnvironment = environment[Self.environmentVariable]
    }

    /// A passphrase to decrypt with; `prompt` is shown on the terminal.
    func passphrase(prompt: String) throws -> String {
        if let fromEnvironment { return try nonEmpty(fromEnvironment) }
        return try nonEmpty(TerminalPrompt.readSecret(prompt: prompt))
    }

    /// A passphrase to encrypt with, typed twice on the terminal to catch typos.
    func newPassphrase() throws -> String {
        if let fromEnvironment { return try nonEmpty(fromEnvironment) }
        let first = try nonEmpty(TerminalPrompt.readSecret(prompt: "Enter passphrase: "))
        guard try TerminalPrompt.readSecret(prompt: "Confirm passphrase: ") == first else {
            throw CLIError("the passphrases didn't match")
        }
        return first
    }

    private func nonEmpty(_ passphrase: String) throws -> String {
        guard !passphrase.isEmpty else {
            throw CLIError(fromEnvironment == nil ? "empty passphrase" : "\(Self.environmentVariable) is set but empty")
        }
        return passphrase
    }
}

/// Reads a line from the controlling terminal (/dev/tty) with echo turned off, so a passphrase
/// can be typed even when standard input and output carry data.
enum TerminalPrompt {
    private static let cancelledMessage = "passphrase entry cancelled"

    /// Shows `prompt` on the terminal and reads one line without echoing it. Control-C and
    /// end of input cancel.
    static func readSecret(prompt: String) throws -> String {
        try readLine(prompt: prompt, echo: false)
    }

    /// Shows `prompt` on the terminal and reads one line, echoed or not. Control-C and end of
    /// input cancel.
    static func readLine(prompt: String, echo: Bool) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError("cannot ask for a passphrase: no terminal; set \(PassphraseSource.environmentVariable) to supply it")
        }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else {
            throw CLIError("cannot ask for a passphrase: \(String(cString: strerror(errno)))")
        }
        var quiet = saved
        // No echo, but echo the final newline; with ISIG off, Control-C arrives as a byte
        // and cancels here, so the terminal settings are always restored.
        quiet.c_lflag &= ~tcflag_t((echo ? 0 : ECHO) | ISIG)
        quiet.c_lflag |= tcflag_t(ECHONL | ICANON)
        tcsetattr(fd, TCSAFLUSH, &quiet)
        defer { tcsetattr(fd, TCSAFLUSH, &saved) }
        _ = Array(prompt.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }

        var line: [UInt8] = []
        defer { SecureBytes.wipe(&line) }
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == 0x03 {
                _ = write(fd, "\n", 1)
                throw CLIError(cancelledMessage)
            }
            if byte == 0x0a { break }
            line.append(byte)
        }
        if line.last == 0x0d { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
