#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts programs the way a shell would, whatever progfig did to its own signals: the child gets
/// every signal at its default action and none blocked. Used for age plugins and for editors.
public enum ChildProcess {
    /// Spawns `path` with `arguments` (argv[0] first) and this process's environment; `actions`
    /// rearranges the child's descriptors. Returns the child's pid, or the errno posix_spawn gave.
    public static func spawn(_ path: String, arguments: [String],
                             actions: UnsafePointer<posix_spawn_file_actions_t>? = nil) -> Result<pid_t, SpawnError> {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, actions, &attributes, &argv, environ)
        return status == 0 ? .success(pid) : .failure(SpawnError(code: status))
    }

    /// Why a program could not be started.
    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        /// The errno value posix_spawn returned.
        public let code: Int32
        /// The system's words for `code`.
        public var description: String { String(cString: strerror(code)) }
    }
}
