import SecureIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
