/// Resource caps applied while decrypting untrusted input, so that hostile files are refused early
/// instead of exhausting memory or CPU. The defaults admit every file age itself writes.
public struct Limits: Sendable, Equatable {
    /// The largest header accepted, in bytes (default 32 MiB, about 250,000 X25519 stanzas).
    public var maxHeaderBytes: Int
    /// The most recipient stanzas accepted in one header (default 100,000).
    public var maxStanzas: Int
    /// The largest scrypt work factor (log2 N) accepted when decrypting (default 22, as age).
    public var maxScryptWorkFactor: Int

    /// Limits with the given caps.
    public init(maxHeaderBytes: Int = 32 << 20, maxStanzas: Int = 100_000, maxScryptWorkFactor: Int = 22) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxStanzas = maxStanzas
        self.maxScryptWorkFactor = maxScryptWorkFactor
    }

    /// The default limits.
    public static let `default` = Limits()
}
