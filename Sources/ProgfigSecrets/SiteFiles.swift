import Foundation
import SecureIO

/// Plain file-system steps for site files, with one-line errors that name the path and say what
/// the system said ("Is a directory", "Permission denied"), never a Foundation error dump.
public enum SiteFiles {
    /// The whole file at `url`, or nil when nothing exists there; a file larger than `limit`
    /// bytes is refused without reading the rest.
    public static func read(_ url: URL, limit: Int = .max) throws -> [UInt8]? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw SiteError("cannot read: \(String(cString: strerror(errno)))", file: url.path)
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw SiteError("cannot read: \(String(cString: strerror(EISDIR)))", file: url.path)
        }
        var source = FileDescriptorSource(fd: fd, name: url.path)
        return try source.readToEnd(limit: limit, tooLong: SiteError("larger than the limit of \(limit >> 20) MiB", file: url.path))
    }

    /// Creates the directory at `url` and any missing parents (mode 0755 before the umask).
    /// Fails naming the first path component that exists but is not a directory.
    public static func createDirectory(_ url: URL) throws {
        var path = ""
        for component in url.standardizedFileURL.pathComponents {
            path = component == "/" ? "/" : (path.hasSuffix("/") ? path + component : path + "/" + component)
            if mkdir(path, 0o755) == 0 { continue }
            let reason = String(cString: strerror(errno))
            var info = stat()
            guard stat(path, &info) == 0 else { throw SiteError("cannot create directory: \(reason)", file: path) }
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw SiteError("exists and is not a directory", file: path) }
        }
    }
}
