#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSodium

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
    public mutating func readFull(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
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
    public mutating func readToEnd(limit: Int = .max, tooLong: @autoclosure () -> any Error = IOFailure("input too long"))
        throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        defer { SecureBytes.wipe(&chunk) }
        while true {
            let room = limit - bytes.count
            let n = try chunk.withUnsafeMutableBytes {
                try read(into: room < $0.count ? UnsafeMutableRawBufferPointer(rebasing: $0[...room]) : $0)
            }
            if n == 0 { return bytes }
            if n > room {
                SecureBytes.wipe(&bytes)
                throw tooLong()
            }
            if bytes.count + n > bytes.capacity {
                var larger: [UInt8] = []
                larger.reserveCapacity(max(2 * bytes.capacity, bytes.count + n, chunk.count))
                larger += bytes
                SecureBytes.wipe(&bytes)
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
            let n = systemRead(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw IOFailure.system("cannot read \(name)")
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
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw IOFailure.system("cannot write \(name)")
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
        SecureBytes.wipe(&bytes)
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
}

/// read(2) and write(2) under names the `read`/`write` methods above do not shadow.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
