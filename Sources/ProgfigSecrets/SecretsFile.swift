import Foundation
import SecureIO

/// A secrets file (`nodes/NAME.secrets.json`, `groups/NAME.secrets.json`, `controller.secrets.json`):
/// a flat JSON object from secret name to armored age value, written byte-for-byte as the original's
/// `json.dump(secrets, indent=2, sort_keys=True)` so both tools read and diff each other's files.
public enum SecretsFile {
    /// Reads the secrets at `url`; a missing file holds no secrets.
    public static func read(_ url: URL) throws -> [String: String] {
        guard let bytes = try SiteFiles.read(url) else { return [:] }
        return try parse(Data(bytes), path: url.path)
    }

    /// Parses secrets file contents; `path` names the file in errors.
    public static func parse(_ data: Data, path: String) throws -> [String: String] {
        let secrets: [String: String]
        do { secrets = try JSONDecoder().decode([String: String].self, from: data) } catch {
            throw diagnose(data, path: path)
        }
        // Swift merges names that differ only in Unicode normalization (and JSON allows duplicate
        // names); a flat object of strings has exactly two string literals per entry, so fewer
        // entries than that means two names collapsed into one, which must not be saved over.
        guard stringLiteralCount(data) == 2 * secrets.count else {
            throw SiteError("duplicate secret names (possibly differing only in Unicode normalization); fix the file by hand", file: path)
        }
        return secrets
    }

    /// The temporary files in `directory` left by progfig processes killed mid-save
    /// (`.NAME.tmp-PID-…` whose process no longer exists), sorted, by the name of the file each
    /// was to replace: one listing of the directory however many files it holds.
    public static func abandonedTemporaryFiles(in directory: URL) -> [String: [URL]] {
        var found: [String: [URL]] = [:]
        for path in AtomicOutputFile.abandonedTemporaryFiles(in: directory.path) {
            let name = URL(fileURLWithPath: path).lastPathComponent
            guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
            found[String(name[name.index(after: name.startIndex)..<marker.lowerBound]), default: []].append(URL(fileURLWithPath: path))
        }
        return found
    }

    /// Deletes the abandoned temporary files of `urls`, listing each directory once; called under
    /// their locks, when no other save runs.
    static func removeAbandonedTemporaryFiles(of urls: [URL]) {
        for (directory, files) in Dictionary(grouping: urls, by: { $0.deletingLastPathComponent().path }) {
            let abandoned = abandonedTemporaryFiles(in: URL(fileURLWithPath: directory))
            for url in files {
                for file in abandoned[url.lastPathComponent] ?? [] { try? FileManager.default.removeItem(at: file) }
            }
        }
    }

    /// The error for contents that are not a flat object of strings: says which part is wrong.
    private static func diagnose(_ data: Data, path: String) -> SiteError {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: []) else {
            return SiteError("not valid JSON; expected an object mapping secret names to armored age values", file: path)
        }
        guard let dictionary = object as? [String: Any] else {
            return SiteError("expected a JSON object mapping secret names to armored age values", file: path)
        }
        let name = dictionary.keys.sorted().first { !(dictionary[$0] is String) } ?? "?"
        return SiteError("secret \"\(name)\" is not a string", file: path)
    }

    /// The number of JSON string literals in `data` (counting opening quotes outside strings).
    private static func stringLiteralCount(_ data: Data) -> Int {
        data.withUnsafeBytes { bytes in
            var count = 0, inString = false, escaped = false
            for byte in bytes {
                if inString {
                    if escaped { escaped = false } else if byte == 0x5c { escaped = true } else if byte == 0x22 { inString = false }
                } else if byte == 0x22 {
                    inString = true
                    count += 1
                }
            }
            return count
        }
    }

    /// Encodes secrets exactly as Python's `json.dump(obj, f, indent=2, sort_keys=True)`:
    /// keys sorted by code point, two-space indent, `": "` and `","` separators, ASCII-only escapes,
    /// no trailing newline.
    public static func encode(_ secrets: [String: String]) -> [UInt8] {
        if secrets.isEmpty { return Array("{}".utf8) }
        let keys = secrets.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        var out: [UInt8] = Array("{\n".utf8)
        out.reserveCapacity(secrets.reduce(8) { $0 + $1.key.utf8.count + $1.value.utf8.count * 11 / 10 + 10 })
        for (i, key) in keys.enumerated() {
            out += "  ".utf8
            appendQuoted(key, to: &out)
            out += ": ".utf8
            appendQuoted(secrets[key]!, to: &out)
            out += (i == keys.count - 1 ? "\n" : ",\n").utf8
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends `s` as a JSON string literal with Python's `ensure_ascii=True` escaping, byte by
    /// byte (secrets files hold megabytes of armor at 10,000 nodes).
    private static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += #"\""#.utf8
            case 0x5c: out += #"\\"#.utf8
            case 0x0a: out += #"\n"#.utf8
            case 0x0d: out += #"\r"#.utf8
            case 0x09: out += #"\t"#.utf8
            case 0x08: out += #"\b"#.utf8
            case 0x0c: out += #"\f"#.utf8
            case 0x20..<0x7f: out.append(UInt8(unit))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += #"\u"#.utf8
                for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(unit >> UInt16(shift)) & 0xf]) }
            }
        }
        out.append(0x22)
    }

    /// Reads, changes and atomically rewrites the file at `url` under an exclusive lock, so that
    /// concurrent progfig processes never lose each other's secrets. The file is created if missing.
    @discardableResult
    public static func update<T>(_ url: URL, _ change: (inout [String: String]) throws -> T) throws -> T {
        var result: T?
        try update([url]) { _, secrets in result = try change(&secrets) }
        return result!
    }

    /// Changes several secrets files in one step, holding all their locks: every file is read and
    /// changed in memory before any is written, so one that can't be read, parsed or changed stops
    /// the whole step with nothing written. A write that fails after others succeeded says which
    /// files were already written. Missing files and directories are created; a file named twice
    /// is changed once. `change` receives each URL as the caller gave it.
    public static func update(_ urls: [URL], _ change: (URL, inout [String: String]) throws -> Void) throws {
        // A file named twice is changed once (two copies read from disk would each drop the other's change).
        var seen = Set<String>()
        let urls = urls.filter { seen.insert($0.standardizedFileURL.path).inserted }
        for url in urls { try SiteFiles.createDirectory(url.deletingLastPathComponent()) }
        try FileLock.withExclusiveLocks(for: urls) {
            removeAbandonedTemporaryFiles(of: urls)
            var changed: [(url: URL, bytes: [UInt8])] = []
            for url in urls {
                var secrets = try read(url)
                try change(url, &secrets)
                changed.append((url, encode(secrets)))
            }
            var written: [String] = []
            for (url, bytes) in changed {
                do {
                    try AtomicFile.write(bytes, to: url, mode: 0o644)
                } catch let error as IOFailure where !written.isEmpty {
                    throw IOFailure("\(error.message) (already written: \(written.joined(separator: ", ")))", path: error.path, code: error.code)
                }
                written.append(url.path)
            }
        }
    }
}
