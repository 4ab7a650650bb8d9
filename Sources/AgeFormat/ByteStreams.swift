import Glibc

/// Something bytes are read from: a file descriptor, an array, or a decoder over another source.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 only at the end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Something bytes are written to, in order.
public protocol ByteSink {
    /// Writes all of `bytes`.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSource {
    /// Reads until `buffer` is full or the input ends; returns how many bytes were read.
    mutating func readFull(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}

extension ByteSource {
    /// Reads everything up to the end of input; for small inputs such as keys and config files.
    /// The read buffer is wiped afterwards, since what passed through it may be key material.
    /// The result grows by copying into a larger array and wiping the old one, so no copy of what
    /// was read is left in freed memory either. An input longer than `limit` bytes is refused with
    /// `tooLong` as soon as one byte more was read, and what was read is wiped.
    public mutating func readToEnd(limit: Int = .max, tooLong: @autoclosure () -> AgeError = AgeError(.limit, "input too long"))
        throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        defer { Sodium.wipe(&chunk) }
        while true {
            let room = limit - bytes.count
            let n = try chunk.withUnsafeMutableBytes {
                try read(into: room < $0.count ? UnsafeMutableRawBufferPointer(rebasing: $0[...room]) : $0)
            }
            if n == 0 { return bytes }
            if n > room {
                Sodium.wipe(&bytes)
                throw tooLong()
            }
            if bytes.count + n > bytes.capacity {
                var larger: [UInt8] = []
                larger.reserveCapacity(max(2 * bytes.capacity, bytes.count + n, chunk.count))
                larger += bytes
                Sodium.wipe(&bytes)
                bytes = larger
            }
            bytes += chunk[..<n]
        }
    }
}

/// Reads from a file descriptor (not closed by this type), retrying on EINTR.
public struct FileDescriptorSource: ByteSource {
    /// The descriptor read from.
    public let fd: Int32
    /// A name for error messages, such as the file's path or "standard input".
    public let name: String

    /// Reads from `fd`; `name` appears in error messages.
    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw AgeError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
    }
}

/// Writes to a file descriptor (not closed by this type), retrying on EINTR and short writes.
public struct FileDescriptorSink: ByteSink {
    /// The descriptor written to.
    public let fd: Int32
    /// A name for error messages.
    public let name: String

    /// Writes to `fd`; `name` appears in error messages.
    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw AgeError(.io, "cannot write \(name): \(String(cString: strerror(errno)))")
        }
    }
}

/// Reads from an in-memory byte array.
public struct ArraySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    /// Reads `bytes` from the start.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n > 0 {
            bytes.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
            }
        }
        offset += n
        return n
    }
}

/// Collects everything written into a byte array.
public struct ArraySink: ByteSink {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty sink.
    public init() {}

    /// An empty sink with room for `capacity` bytes: writes within it never move the bytes, so
    /// no copy of them is left behind in freed memory.
    public init(reservingCapacity capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Zeroes everything collected, for plaintext that must not outlive a failure.
    public mutating func wipe() {
        Sodium.wipe(&bytes)
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
}

/// A buffering wrapper that lets the header parser read lines and peek, then hands the rest of the
/// input to the payload reader without copying large reads twice. The buffer is allocated once
/// and compacted in place, so many small reads stay cheap; a longer line doubles it (up to the
/// line's limit), so a long line costs a few large reads rather than one read per byte.
struct BufferedSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private var storage: [UInt8] = []
    private var start = 0
    private var end = 0
    private var atEnd = false
    private let bufferSize: Int

    /// Buffers `base`, reading `bufferSize` bytes at a time; an in-memory input of n bytes needs
    /// no more than n + 1 (one read for the data and one that sees the end).
    init(_ base: Base, bufferSize: Int = 16 * 1024) {
        self.base = base
        self.bufferSize = max(1, bufferSize)
    }

    private var available: Int { end - start }

    /// Ensures at least `count` bytes are buffered unless the input ends first. A buffer too small
    /// for `count` grows to at least twice its size, but not past `room` unless `count` needs it.
    private mutating func fill(_ count: Int, room: Int = 0) throws {
        while available < count && !atEnd {
            if start > 0 {
                let (from, length) = (start, available)
                storage.withUnsafeMutableBytes { p in
                    if length > 0 { p.baseAddress!.copyMemory(from: p.baseAddress! + from, byteCount: length) }
                }
                start = 0
                end = length
            }
            let capacity = max(count, bufferSize)
            if storage.count < capacity {
                let grown = max(capacity, min(2 * storage.count, room))
                storage.append(contentsOf: repeatElement(0, count: grown - storage.count))
            }
            let (from, to) = (end, storage.count)
            let n = try storage.withUnsafeMutableBytes { try base.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[from..<to])) }
            if n == 0 { atEnd = true }
            end += n
        }
    }

    /// The next `count` bytes (fewer at the end of input) without consuming them.
    mutating func peek(_ count: Int) throws -> ArraySlice<UInt8> {
        try fill(count)
        return storage[start..<(start + min(count, available))]
    }

    /// Consumes one line and passes it to `body` in place (valid only during the call): the line
    /// includes its trailing LF, or runs to the end of input when there is no LF (empty at the end).
    /// Throws `tooLong` when no LF appears within `limit` bytes. While the line is still being read,
    /// `partial` sees each newly read part of it that has no LF, so a line that cannot be valid is
    /// refused before the rest of it is read.
    mutating func withLine<R>(limit: Int, tooLong: AgeError, partial: (UnsafeRawBufferPointer) throws -> Void = { _ in },
                              _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var scanned = 0
        while true {
            let (from, to) = (start + scanned, end)
            let newline = storage.withUnsafeBytes { p -> Int? in
                guard from < to, let hit = memchr(p.baseAddress! + from, 0x0a, to - from) else { return nil }
                return UnsafeRawPointer(hit) - p.baseAddress!
            }
            if newline == nil && from < to {
                try storage.withUnsafeBytes { try partial(UnsafeRawBufferPointer(rebasing: $0[from..<to])) }
            }
            if newline != nil || atEnd || available >= limit {
                if newline == nil && available >= limit { throw tooLong }
                let lineEnd = newline.map { $0 + 1 } ?? end
                let lineStart = start
                start = lineEnd
                return try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
            }
            scanned = available
            try fill(available + 1, room: limit)
        }
    }

    /// Consumes and returns one line, as `withLine` passes it.
    mutating func readLine(limit: Int, tooLong: AgeError) throws -> [UInt8] {
        try withLine(limit: limit, tooLong: tooLong) { Array($0) }
    }

    mutating func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if available > 0 {
            let n = min(out.count, available)
            let from = start
            storage.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress! + from, byteCount: n) }
            start += n
            return n
        }
        if atEnd { return 0 }
        return try base.read(into: out)
    }
}
