import CSodium

/// A fixed-size heap buffer for secret material that is wiped with `sodium_memzero` when freed.
/// A class so that copies share one buffer and the wipe happens exactly once.
public final class SecureBytes: @unchecked Sendable {
    /// The number of bytes held.
    public let count: Int
    private let pointer: UnsafeMutableRawPointer

    /// Allocates `count` zeroed bytes.
    public init(count: Int) {
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
    }

    /// Copies `bytes` into a new secure buffer (the caller wipes its own copy).
    public convenience init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        self.init(count: bytes.count)
        UnsafeMutableRawBufferPointer(start: pointer, count: count).copyBytes(from: bytes)
    }

    /// Fills a new buffer of `count` bytes from the CSPRNG.
    public static func random(count: Int) -> SecureBytes {
        let s = SecureBytes(count: count)
        precondition(sodiumReady, "libsodium failed to initialize")
        randombytes_buf(s.pointer, count)
        return s
    }

    deinit {
        sodium_memzero(pointer, max(count, 1))
        pointer.deallocate()
    }

    /// Read-only access to the bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Writable access to the bytes.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: pointer, count: count))
    }

    /// Wipes a byte array that held secret material (a plaintext, a key file) in place.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let p = $0.baseAddress { sodium_memzero(p, $0.count) } }
    }
}

/// libsodium initialized once per process (sodium_init is idempotent and thread-safe).
private let sodiumReady: Bool = sodium_init() >= 0
