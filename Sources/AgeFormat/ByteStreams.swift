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

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
}

/// A buffering wrapper that lets the header parser read lines and peek, then hands the rest of the
/// input to the payload reader without copying large reads twice.
struct BufferedSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(_ base: Base) { self.base = base }

    private var available: Int { buffer.count - start }

    /// Ensures at least `count` bytes are buffered unless the input ends first.
    private mutating func fill(_ count: Int) throws {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        while available < count && !atEnd {
            if start > 0 { buffer.removeFirst(start); start = 0 }
            let want = max(count - available, 16 * 1024)
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: want))
            let n = try buffer.withUnsafeMutableBytes { try base.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[old...])) }
            buffer.removeLast(want - n)
            if n == 0 { atEnd = true }
        }
    }

    /// The next `count` bytes (fewer at the end of input) without consuming them.
    mutating func peek(_ count: Int) throws -> ArraySlice<UInt8> {
        try fill(count)
        return buffer[start..<(start + min(count, available))]
    }

    /// Consumes and returns one line including its trailing LF, or up to the end of input when
    /// there is no LF. Throws `tooLong` when no LF appears within `limit` bytes.
    mutating func readLine(limit: Int, tooLong: AgeError) throws -> [UInt8] {
        var scanned = 0
        while true {
            if let i = buffer[(start + scanned)...].firstIndex(of: 0x0a) {
                let line = Array(buffer[start...i])
                start = i + 1
                return line
            }
            scanned = available
            if scanned >= limit { throw tooLong }
            if atEnd {
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            try fill(available + 1)
        }
    }

    mutating func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if available > 0 {
            let n = min(out.count, available)
            buffer.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: n) }
            start += n
            return n
        }
        if atEnd { return 0 }
        return try base.read(into: out)
    }
}
