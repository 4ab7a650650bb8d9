import Foundation

/// Replaces whole files atomically and durably, so readers see the old or the new content, never
/// a mix, and a crash never leaves a truncated secrets file or key behind. Built on
/// `AtomicOutputFile`; failures are `IOFailure`s naming the target.
public enum AtomicFile {
    /// Atomically writes `data` to `url` with exactly the permission bits `mode`; with
    /// `overwrite: false`, fails without touching anything when `url` already exists.
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o644, overwrite: Bool = true) throws {
        try write([UInt8](data), to: url, mode: mode, overwrite: overwrite)
    }

    /// Atomically writes `bytes` to `url` with exactly the permission bits `mode`; with
    /// `overwrite: false`, fails without touching anything when `url` already exists.
    public static func write(_ bytes: [UInt8], to url: URL, mode: mode_t = 0o644, overwrite: Bool = true) throws {
        let file = try AtomicOutputFile(url: url.standardizedFileURL, mode: mode)
        try bytes.withUnsafeBytes { try file.write($0) }
        try file.commit(overwrite: overwrite)
    }
}
