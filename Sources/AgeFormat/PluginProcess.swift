#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SecureIO

/// A running `age-plugin-NAME --age-plugin=STATE_MACHINE`, found on PATH, talking over a socket
/// pair on its standard input and output. Its standard error is discarded, as age does (plugins
/// talk to the user with `msg`), unless AGEDEBUG=plugin. Every read and write waits at most
/// `timeout`; `terminate()` kills the plugin if it is still running and reaps it.
final class PluginProcess {
    /// The environment variable that sets how many seconds progfig waits for a plugin to answer.
    static let timeoutVariable = "PROGFIG_PLUGIN_TIMEOUT"
    /// The default wait: long enough for a person to touch a hardware key or type a PIN.
    static let defaultTimeout: Double = 300

    /// Held for a whole conversation: secrets decrypted in parallel talk to their plugins one at a
    /// time, so a plugin's PIN prompts and touch requests never interleave with another's.
    static let conversation = NSLock()

    /// The plugin's name, as in `age-plugin-NAME`.
    let name: String
    private let pid: pid_t
    private var fd: Int32
    private let timeout: Double
    private var reader: BufferedSource<Reader>
    private var reaped = false

    /// The program name for `name`: `age-plugin-NAME`.
    static func programName(_ name: String) -> String { "age-plugin-\(name)" }

    /// The first executable `age-plugin-NAME` in PATH's absolute directories (relative entries, the
    /// empty entry included, would search the current directory and are skipped).
    static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        guard PluginName.isValid(name) else { return nil }
        for directory in (path ?? "").split(separator: ":", omittingEmptySubsequences: true) where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(programName(name))"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// The wait for each message: `$PROGFIG_PLUGIN_TIMEOUT` seconds when set to a positive number.
    static func configuredTimeout() -> Double {
        if let text = ProcessInfo.processInfo.environment[timeoutVariable], let seconds = Double(text), seconds > 0 { return seconds }
        return defaultTimeout
    }

    /// Starts the plugin for `stateMachine` (`recipient-v1` or `identity-v1`).
    init(name: String, stateMachine: String, timeout: Double = PluginProcess.configuredTimeout()) throws {
        self.name = name
        self.timeout = timeout
        guard let program = Self.find(name) else {
            throw AgeError.plugin(name, "\(Self.programName(name)) was not found in PATH; install the plugin or check PATH")
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, streamSocket, 0, &pair) == 0 else {
            throw AgeError.plugin(name, "cannot start \(Self.programName(name)): \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        if ProcessInfo.processInfo.environment["AGEDEBUG"] != "plugin" {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let spawned = ChildProcess.spawn(program, arguments: [program, "--age-plugin=\(stateMachine)"], actions: &actions)
        close(pair[1])
        let child: pid_t
        switch spawned {
        case .success(let started): child = started
        case .failure(let error):
            close(pair[0])
            throw AgeError.plugin(name, "cannot start \(program): \(error)")
        }
        pid = child
        fd = pair[0]
        reader = BufferedSource(Reader(fd: pair[0], timeout: timeout, name: name), bufferSize: 4096)
    }

    deinit { terminate() }

    /// Sends one message.
    func post(_ command: String, _ arguments: [String] = [], body: [UInt8] = []) throws {
        try write(PluginMessage.encode(command, arguments, body: body))
    }

    /// Sends a message whose body is secret (a file key or a PIN); the encoded copy is wiped.
    func post(_ command: String, _ arguments: [String] = [], secret: SecureBytes) throws {
        var bytes = secret.withUnsafeBytes { PluginMessage.encode(command, arguments, body: Array($0)) }
        defer { SecureBytes.wipe(&bytes) }
        try write(bytes)
    }

    /// Sends one random grease message.
    func postGrease() throws { try write(PluginMessage.grease()) }

    /// Reads the next message; an end of output or a malformed message is an error naming the plugin.
    func receive() throws -> Stanza {
        do {
            guard let message = try PluginMessage.read(from: &reader) else {
                throw AgeError.plugin(name, "the plugin exited before finishing the protocol\(exitDescription())")
            }
            return message
        } catch let error as AgeError {
            throw AgeError.plugin(name, error.message)
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            try Reader.wait(fd: fd, events: Int16(POLLOUT), timeout: timeout, name: name)
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, noSignal) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw AgeError.plugin(name, "the plugin stopped reading (\(String(cString: strerror(errno))))\(exitDescription())")
            }
            offset += n
        }
    }

    /// ", exit status N" or ", killed by signal N" once the plugin has exited; empty while it runs.
    private func exitDescription() -> String {
        var status: Int32 = 0
        // Give a plugin that just closed its output a moment to exit, so the status can be told.
        for _ in 0..<20 {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                reaped = true
                let signal = status & 0x7f
                return signal == 0 ? ", exit status \((status >> 8) & 0xff)" : ", killed by signal \(signal)"
            }
            if result < 0 { return "" }
            usleep(5_000)
        }
        return ""
    }

    /// Closes the connection, kills the plugin if it is still running, and reaps it.
    func terminate() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        guard !reaped else { return }
        reaped = true
        var status: Int32 = 0
        // A plugin that finished exits on its own once its input closes; give it a moment.
        for _ in 0..<20 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(5_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// The plugin's output, read with a deadline.
    struct Reader: ByteSource {
        let fd: Int32
        let timeout: Double
        let name: String

        /// Waits until `fd` is ready for `events`, at most `timeout` seconds.
        static func wait(fd: Int32, events: Int16, timeout: Double, name: String) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                var pollfd = pollfd(fd: fd, events: events, revents: 0)
                let left = max(0, Int32(min(deadline.timeIntervalSinceNow * 1000, Double(Int32.max))))
                let ready = poll(&pollfd, 1, left)
                if ready > 0 { return }
                if ready < 0 && errno == EINTR { continue }
                if ready < 0 { throw AgeError.plugin(name, "cannot wait for the plugin: \(String(cString: strerror(errno)))") }
                throw AgeError.plugin(name, "the plugin did not answer within \(String(format: "%g", timeout)) seconds (set \(timeoutVariable) to wait longer)")
            }
        }

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            while true {
                try Self.wait(fd: fd, events: Int16(POLLIN), timeout: timeout, name: name)
                let n = recv(fd, buffer.baseAddress, buffer.count, 0)
                if n >= 0 { return n }
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == ECONNRESET { return 0 }
                throw AgeError.plugin(name, "cannot read from the plugin: \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// Plugin names: `1*(ALPHA / DIGIT / "-" / "_" / "." / "+")`, compared case-insensitively.
enum PluginName {
    /// True when `name` is a valid plugin name (so never a path).
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || "-_.+".utf8.contains(b)
        }
    }
}

extension AgeError {
    /// A failure in talking to a plugin, its message starting with the plugin's program name.
    static func plugin(_ name: String, _ message: String) -> AgeError {
        AgeError(.plugin, "\(PluginProcess.programName(name)): \(message)")
    }
}

#if canImport(Glibc)
private let streamSocket = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let streamSocket = SOCK_STREAM
private let noSignal: Int32 = 0  // Darwin: SO_NOSIGPIPE would be set on the socket instead
#endif
