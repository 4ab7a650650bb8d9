import AgeFormat
import Foundation

/// The ordered list of places a decryption key may come from, loaded once on first use.
/// Every existing key file is loaded and every identity is tried, so one invocation works on the
/// controller (controller key) and on a node (its own key) alike.
public final class DecryptionKeys: @unchecked Sendable {
    /// One place a key may be found.
    public enum Location: Equatable, Sendable, CustomStringConvertible {
        /// An identity file (possibly passphrase-protected) from the site's configuration; skipped
        /// when it does not exist, so one configuration serves the controller and the nodes.
        case file(String)
        /// An identity file named explicitly (`--age-key`, `age_key=`, `PROGFIG_AGE_KEY_FILE`);
        /// an error when it does not exist, so a typo never falls back silently to other keys.
        case requiredFile(String)
        /// Identity text held in an environment variable, never written to disk.
        case environment(variable: String, text: String)
        /// A node's SSH host key (an OpenSSH private key); skipped when it does not exist or this
        /// user may not read it, as on a controller not running as root.
        case sshHostKey(String)

        public var description: String {
            switch self {
            case .file(let path), .requiredFile(let path), .sshHostKey(let path): return path
            case .environment(let variable, _): return "$\(variable)"
            }
        }
    }

    /// The locations, in the order they are tried.
    public let locations: [Location]
    private let passphrase: @Sendable () throws -> String
    private let warn: @Sendable (String) -> Void
    private let pluginUI: PluginUI
    private let lock = NSLock()
    private var loaded: [any Identity]?

    /// Keys from `locations`; `passphrase` is asked only for passphrase-protected identity files,
    /// `warn` is told about key files that others can read, and plugin identities (a key on a
    /// YubiKey) reach the user through `pluginUI`.
    public init(locations: [Location], passphrase: @escaping @Sendable () throws -> String,
                warn: @escaping @Sendable (String) -> Void = { _ in }, pluginUI: PluginUI = .none) {
        self.warn = warn
        self.pluginUI = pluginUI
        var unique: [Location] = []
        for l in locations where !unique.contains(where: { $0.description == l.description }) { unique.append(l) }
        self.locations = unique
        self.passphrase = passphrase
    }

    /// The identities of every location that exists; an error naming the file when one exists but
    /// cannot be read or parsed, and an error listing every location tried when none has a key.
    public func identities() throws -> [any Identity] {
        lock.lock()
        defer { lock.unlock() }
        if let loaded { return loaded }
        var found: [any Identity] = []
        for location in locations {
            switch location {
            case .requiredFile(let path) where !FileManager.default.fileExists(atPath: path):
                throw SiteError("age key file not found", file: path)
            case .sshHostKey(let path) where !FileManager.default.isReadableFile(atPath: path):
                continue
            case .file(let path), .requiredFile(let path), .sshHostKey(let path):
                guard FileManager.default.fileExists(atPath: path) else { continue }
                do {
                    found += try IdentityFile.load(path: path, passphrase: passphrase, sshPassphrase: passphrase, warn: warn)
                } catch let error as AgeError {
                    throw SiteError("cannot load age key: \(error.message)")  // the message names the file
                } catch let error as SiteError {
                    throw SiteError("cannot load age key: \(error.message)", file: path)
                }
            case .environment(let variable, let text):
                do {
                    found += try IdentityFile.parse(text, name: "$\(variable)")
                } catch let error as AgeError {
                    throw SiteError("cannot load age key: \(error.message)")
                }
            }
        }
        guard !found.isEmpty else {
            let tried = locations.isEmpty ? "no key locations configured" : "tried " + locations.map(\.description).joined(separator: ", ")
            throw SiteError("no age key found (\(tried)); pass --age-key PATH or set PROGFIG_AGE_KEY_FILE")
        }
        loaded = pluginUI.attached(to: found)
        return loaded!
    }
}
