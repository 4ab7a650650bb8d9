import CSodium
import Dispatch
import Foundation
import SecureIO

/// The age payload: STREAM over ChaCha20-Poly1305 with 64 KiB chunks. Each chunk depends only on
/// (payload key, chunk index, last flag), so a batch of chunks is sealed or opened on all cores
/// and written in order. Memory is one batch buffer, whatever the input size.
public struct PayloadStream: Sendable {
    /// Plaintext bytes per chunk.
    public static let chunkSize = 64 * 1024
    /// Ciphertext bytes per full chunk (plaintext plus the 16-byte tag).
    public static let encryptedChunkSize = chunkSize + Sodium.tagSize
    /// Size of the random nonce that precedes the payload.
    public static let nonceSize = 16

    /// How many chunks are processed together; 1 gives the plain serial STREAM.
    public let chunksPerBatch: Int
    /// 1 for the plain serial STREAM; otherwise batches are sealed or opened on all cores while
    /// the next batch is read.
    public let parallelism: Int

    /// A STREAM processor; `parallelism` defaults to the number of active processors.
    public init(chunksPerBatch: Int = 32, parallelism: Int = PayloadStream.defaultParallelism) {
        self.chunksPerBatch = max(1, chunksPerBatch)
        self.parallelism = max(1, parallelism)
    }

    /// The number of cores this process may use.
    /// Read once: Foundation reads the cgroup CPU quota from files on every call.
    public static let defaultParallelism = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The payload key: HKDF-SHA-256(file key, salt: nonce, info: "payload").
    static func payloadKey(fileKey: SecureBytes, nonce: [UInt8]) -> SecureBytes {
        fileKey.withUnsafeBytes { ikm in nonce.withUnsafeBytes { Sodium.hkdf(ikm: ikm, salt: $0, info: "payload") } }
    }

    @inline(__always)
    static func withNonce<R>(index: UInt64, last: Bool, _ body: (UnsafePointer<UInt8>) -> R) -> R {
        var nonce: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &nonce) { raw in
            var i = index
            for b in stride(from: 10, through: 3, by: -1) { raw[b] = UInt8(truncatingIfNeeded: i); i >>= 8 }
            raw[11] = last ? 1 : 0
            return body(raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Seals `count` plaintext bytes at `data` in place and writes the tag at `data + count`.
    @inline(__always)
    static func sealChunk(key: UnsafePointer<UInt8>, index: UInt64, last: Bool,
                          data: UnsafeMutablePointer<UInt8>, count: Int) {
        sealChunk(key: key, index: index, last: last, from: data, to: data, count: count)
    }

    /// Seals `count` plaintext bytes at `plaintext` into `out`, followed by the tag.
    @inline(__always)
    static func sealChunk(key: UnsafePointer<UInt8>, index: UInt64, last: Bool,
                          from plaintext: UnsafePointer<UInt8>, to out: UnsafeMutablePointer<UInt8>, count: Int) {
        withNonce(index: index, last: last) { nonce in
            _ = crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                out, out + count, nil, plaintext, UInt64(count), nil, 0, nil, nonce, key)
        }
    }

    /// Opens a chunk of `count` ciphertext bytes (tag included) in place; false if the tag fails.
    /// The tag is verified first (libsodium with a NULL output only verifies, in constant time)
    /// and only then is the chunk decrypted, so a failed attempt leaves the ciphertext intact for
    /// a retry with the other last-chunk flag. (On failure libsodium's decrypt zeroes its output.)
    @inline(__always)
    static func openChunk(key: UnsafePointer<UInt8>, index: UInt64, last: Bool,
                          data: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        guard count >= Sodium.tagSize else { return false }
        let n = count - Sodium.tagSize
        return withNonce(index: index, last: last) { nonce in
            guard crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                nil, nil, data, UInt64(n), data + n, nil, 0, nonce, key) == 0 else { return false }
            // The AEAD keystream for the message starts at block 1; block 0 keyed Poly1305.
            crypto_stream_chacha20_ietf_xor_ic(data, data, UInt64(n), nonce, 1, key)
            return true
        }
    }

    /// Runs `body(i)` for each chunk i in 0..<count and `sideJob` (the next batch's read) as jobs
    /// spread dynamically over all cores, so the read overlaps the crypto and no core idles while
    /// another reads; serially when `parallelism` is 1. Returns when every job has finished.
    private func runBatch(_ count: Int, sideJob: (() -> Void)?, _ body: (Int) -> Void) {
        let offset = sideJob == nil ? 0 : 1
        guard parallelism > 1, count + offset > 1 else {
            sideJob?()
            for i in 0..<count { body(i) }
            return
        }
        // concurrentPerform returns only when every iteration has run, so `body` outlives them.
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body), side = UncheckedSendable(sideJob)
            DispatchQueue.concurrentPerform(iterations: count + offset) { i in
                if i < offset { side.value?() } else { work.value(i - offset) }
            }
        }
    }

    /// Two batch buffers when reading ahead (parallel), one otherwise.
    private func makeBuffers(bytes: Int) -> [SecureBytes] {
        (0..<(parallelism > 1 ? 2 : 1)).map { _ in SecureBytes(count: bytes) }
    }

    /// Encrypts everything from `source` into `sink` as STREAM chunks under `payloadKey`.
    /// Each chunk is read straight into its slot with one byte of look-ahead, which tells whether
    /// it is the last chunk. With parallelism, the next batch is read while this one is sealed.
    func encrypt<S: ByteSource, W: ByteSink>(from source: inout S, to sink: inout W, payloadKey: SecureBytes) throws {
        let reader = PlaintextBatchReader(source, chunksPerBatch: chunksPerBatch)
        defer { source = reader.source }
        let buffers = makeBuffers(bytes: chunksPerBatch * Self.encryptedChunkSize)
        try payloadKey.withUnsafeBytes { keyRaw in
            let key = keyRaw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var current = 0
            var batch = try reader.fill(buffers[current])
            var index: UInt64 = 0
            while true {
                let next = NextBatch<PlaintextBatch>()
                let readNext: (() -> Void)? = batch.atEnd || buffers.count == 1 ? nil : { [buffers, current] in
                    next.result = Result { try reader.fill(buffers[1 - current]) }
                }
                try buffers[current].withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    let first = index, chunks = batch.lengths.count, last = batch.atEnd
                    batch.lengths.withUnsafeBufferPointer { lens in
                        runBatch(chunks, sideJob: readNext) { c in
                            Self.sealChunk(key: key, index: first + UInt64(c), last: last && c == chunks - 1,
                                           data: base + c * Self.encryptedChunkSize, count: lens[c])
                        }
                    }
                    let outCount = (chunks - 1) * Self.encryptedChunkSize + batch.lengths[chunks - 1] + Sodium.tagSize
                    try sink.write(UnsafeRawBufferPointer(start: base, count: outCount))
                    index += UInt64(chunks)
                }
                if batch.atEnd { return }
                if let result = next.result {
                    batch = try result.get()
                    current = 1 - current
                } else {
                    batch = try reader.fill(buffers[current])
                }
            }
        }
    }

    /// Encrypts an in-memory plaintext and appends the payload to `out`. Each chunk is sealed
    /// straight from `plaintext` into `out`, so no buffer holds a copy of the plaintext; several
    /// chunks are sealed on all cores. The bytes are those `encrypt(from:to:payloadKey:)` writes.
    func encrypt(_ plaintext: UnsafeRawBufferPointer, appendingTo out: inout [UInt8], payloadKey: SecureBytes) {
        let count = plaintext.count
        let chunks = max(1, (count + Self.chunkSize - 1) / Self.chunkSize)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count + chunks * Sodium.tagSize))
        payloadKey.withUnsafeBytes { keyRaw in
            let key = keyRaw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            out.withUnsafeMutableBufferPointer { buffer in
                let payload = buffer.baseAddress! + start
                // An empty plaintext may have no address; its one chunk reads nothing.
                let input = plaintext.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(payload)
                runBatch(chunks, sideJob: nil) { c in
                    let offset = c * Self.chunkSize
                    Self.sealChunk(key: key, index: UInt64(c), last: c == chunks - 1, from: input + offset,
                                   to: payload + c * Self.encryptedChunkSize, count: min(Self.chunkSize, count - offset))
                }
            }
        }
    }

    /// Decrypts STREAM chunks from `source` into `sink`. Plaintext reaches the sink only after its
    /// chunk's tag verified and every earlier chunk was written; on failure nothing from the failing
    /// chunk on is released. As in age, a full-size chunk is opened as a middle chunk first and as
    /// the final chunk if that fails; any data after the final chunk is an error. With parallelism,
    /// the next batch is read while this one is opened. When the whole payload is known to be at
    /// most `maxPayloadBytes` bytes (an in-memory value), the buffer is no larger than that.
    func decrypt<S: ByteSource, W: ByteSink>(from source: inout S, to sink: inout W, payloadKey: SecureBytes,
                                             maxPayloadBytes: Int = .max) throws {
        let reader = CiphertextBatchReader(source)
        defer { source = reader.source }
        let batchBytes = chunksPerBatch * Self.encryptedChunkSize
        let buffers = maxPayloadBytes < batchBytes ? [SecureBytes(count: maxPayloadBytes)] : makeBuffers(bytes: batchBytes)
        var opened = [Bool](repeating: false, count: chunksPerBatch)
        try payloadKey.withUnsafeBytes { keyRaw in
            let key = keyRaw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var current = 0
            var count = try reader.fill(buffers[current])
            var index: UInt64 = 0
            while true {
                if count == 0 {
                    throw AgeError.payload(index == 0 ? "the payload has no chunks; the file is truncated"
                                                      : "the payload ends without a final chunk; the file is truncated")
                }
                let next = NextBatch<Int>()
                let readNext: (() -> Void)? = buffers.count == 1 ? nil : { [buffers, current] in
                    next.result = Result { try reader.fill(buffers[1 - current]) }
                }
                let finished = try buffers[current].withUnsafeMutableBytes { raw -> Bool in
                    let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    let chunks = (count + Self.encryptedChunkSize - 1) / Self.encryptedChunkSize
                    let first = index, total = count
                    func length(_ c: Int) -> Int { min(Self.encryptedChunkSize, total - c * Self.encryptedChunkSize) }
                    opened.withUnsafeMutableBufferPointer { okp in
                        runBatch(chunks, sideJob: readNext) { c in
                            let len = length(c)
                            okp[c] = Self.openChunk(key: key, index: first + UInt64(c), last: len < Self.encryptedChunkSize,
                                                    data: base + c * Self.encryptedChunkSize, count: len)
                        }
                    }
                    for c in 0..<chunks {
                        let len = length(c), chunkIndex = first + UInt64(c)
                        let data = base + c * Self.encryptedChunkSize
                        var isLast = len < Self.encryptedChunkSize
                        if !opened[c] && !isLast {
                            isLast = Self.openChunk(key: key, index: chunkIndex, last: true, data: data, count: len)
                            opened[c] = isLast
                        }
                        guard opened[c] else {
                            let what = len < Sodium.tagSize ? "is truncated" : "failed to authenticate"
                            throw AgeError.payload("payload chunk \(chunkIndex) \(what); the file is corrupted or truncated")
                        }
                        if isLast && len == Sodium.tagSize && chunkIndex > 0 {
                            throw AgeError.payload("the final payload chunk is empty, which only an empty payload may have")
                        }
                        try sink.write(UnsafeRawBufferPointer(start: data, count: len - Sodium.tagSize))
                        if isLast {
                            guard c == chunks - 1 else { throw AgeError.payload("unexpected data after the final payload chunk") }
                            return true
                        }
                    }
                    index += UInt64(chunks)
                    return false
                }
                let following: Int
                if let result = next.result {
                    following = try result.get()
                    current = 1 - current
                } else {
                    following = try reader.fill(buffers[current])
                }
                if finished {
                    guard following == 0 else { throw AgeError.payload("unexpected data after the final payload chunk") }
                    return
                }
                count = following
            }
        }
    }
}

/// One batch of plaintext read into chunk slots: each chunk's length, and whether the input ended.
struct PlaintextBatch {
    var lengths: [Int]
    var atEnd: Bool
}

/// Reads plaintext into the chunk slots of a batch buffer, carrying one byte of look-ahead from
/// batch to batch. Used by one thread at a time: a read-ahead is always waited for before the next.
final class PlaintextBatchReader<S: ByteSource>: @unchecked Sendable {
    private(set) var source: S
    private let chunksPerBatch: Int
    private var carry: UInt8?
    private var ended = false

    init(_ source: S, chunksPerBatch: Int) {
        self.source = source
        self.chunksPerBatch = chunksPerBatch
    }

    /// Fills `buffer`'s slots until the batch is full or the input ends.
    func fill(_ buffer: SecureBytes) throws -> PlaintextBatch {
        try buffer.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var lengths: [Int] = []
            while lengths.count < chunksPerBatch && !ended {
                let slot = base + lengths.count * PayloadStream.encryptedChunkSize
                var have = 0
                if let byte = carry { slot[0] = byte; have = 1; carry = nil }
                have += try source.readFull(into: UnsafeMutableRawBufferPointer(start: slot + have, count: PayloadStream.chunkSize + 1 - have))
                if have > PayloadStream.chunkSize {
                    carry = slot[PayloadStream.chunkSize]
                    lengths.append(PayloadStream.chunkSize)
                } else {
                    lengths.append(have)
                    ended = true
                }
            }
            return PlaintextBatch(lengths: lengths, atEnd: ended)
        }
    }
}

/// Reads ciphertext into a batch buffer. Used by one thread at a time, like `PlaintextBatchReader`.
final class CiphertextBatchReader<S: ByteSource>: @unchecked Sendable {
    private(set) var source: S

    init(_ source: S) { self.source = source }

    /// Fills `buffer` until it is full or the input ends; returns the byte count.
    func fill(_ buffer: SecureBytes) throws -> Int {
        try buffer.withUnsafeMutableBytes { try source.readFull(into: $0) }
    }
}

/// The next batch's read result, written by the read job inside `runBatch` and read after it.
final class NextBatch<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// Carries a value into `DispatchQueue.concurrentPerform`, which runs synchronously; each use
/// documents why sharing it across the workers is safe.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
