import Dispatch
import SecureIO

/// Encrypts to a set of recipients: header, nonce, then the STREAM payload.
public struct Encryptor: Sendable {
    /// The recipients the file key is wrapped to.
    public let recipients: [any Recipient]
    /// Whether the output is ASCII-armored.
    public let armored: Bool
    /// The STREAM settings (batch size, parallelism).
    public let stream: PayloadStream

    /// An encryptor; throws a usage error, before anything is written, for no recipients or
    /// recipients whose labels differ (scrypt with anything else, post-quantum with classic).
    public init(recipients: [any Recipient], armored: Bool = false, stream: PayloadStream = PayloadStream()) throws {
        guard !recipients.isEmpty else { throw AgeError(.usage, "no recipients given") }
        try RecipientLabels.check(recipients)
        self.recipients = recipients
        self.armored = armored
        self.stream = stream
    }

    /// Encrypts all of `source` into `sink` in constant memory.
    public func encrypt<S: ByteSource, W: ByteSink>(from source: S, to sink: inout W) throws {
        var source = source
        if armored {
            var armor = ArmorSink(sink)
            try encryptBinary(from: &source, to: &armor)
            sink = try armor.finish()
        } else {
            try encryptBinary(from: &source, to: &sink)
        }
    }

    /// Encrypts `plaintext` in memory; for small values such as stored secrets. The payload is
    /// sealed straight from `plaintext` into the result, with no intermediate buffer.
    public func encrypt(_ plaintext: [UInt8]) throws -> [UInt8] {
        let (start, payloadKey) = try beginFile()
        var file = start
        plaintext.withUnsafeBytes { stream.encrypt($0, appendingTo: &file, payloadKey: payloadKey) }
        guard armored else { return file }
        var armor = ArmorSink(ArraySink())
        try file.withUnsafeBytes { try armor.write($0) }
        return try armor.finish().bytes
    }

    private func encryptBinary<S: ByteSource, W: ByteSink>(from source: inout S, to sink: inout W) throws {
        let (start, payloadKey) = try beginFile()
        try start.withUnsafeBytes { try sink.write($0) }
        try stream.encrypt(from: &source, to: &sink, payloadKey: payloadKey)
    }

    /// A new file key wrapped to every recipient: the bytes that start the file (header and
    /// payload nonce) and the key the payload is sealed with.
    private func beginFile() throws -> (start: [UInt8], payloadKey: SecureBytes) {
        let fileKey = FileKey.generate()
        let header = Header(stanzas: try wrapAll(fileKey: fileKey), fileKey: fileKey)
        let nonce = Sodium.randomBytes(PayloadStream.nonceSize)
        return (header.encoded() + nonce, PayloadStream.payloadKey(fileKey: fileKey, nonce: nonce))
    }

    /// Wraps the file key to every recipient, in order, across cores when there are many: in runs
    /// of `wrapRun` recipients, whose X25519 ephemeral shares share one field inversion.
    private func wrapAll(fileKey: SecureBytes) throws -> [Stanza] {
        if recipients.contains(where: { $0 is PluginRecipient }) { return try wrapWithPlugins(fileKey: fileKey) }
        let runs = (recipients.count + Self.wrapRun - 1) / Self.wrapRun
        if runs == 1 || stream.parallelism == 1 {
            return try Self.wrap(recipients[...], fileKey: fileKey)
        }
        let results = WrapResults(count: runs)
        let recipients = self.recipients
        DispatchQueue.concurrentPerform(iterations: runs) { i in
            let run = recipients[(i * Self.wrapRun)..<min(recipients.count, (i + 1) * Self.wrapRun)]
            results.set(i, Result { try Self.wrap(run, fileKey: fileKey) })
        }
        return try results.values.flatMap { try $0.get() }
    }

    /// How many recipients one worker wraps at a time.
    private static let wrapRun = 16

    /// Wraps `recipients` in order, the X25519 ones together.
    private static func wrap(_ recipients: ArraySlice<any Recipient>, fileKey: SecureBytes) throws -> [Stanza] {
        var x25519 = try X25519Recipient.wrap(recipients.compactMap { $0 as? X25519Recipient }, fileKey: fileKey).makeIterator()
        return try recipients.flatMap { recipient in
            recipient is X25519Recipient ? [x25519.next()!] : try recipient.wrap(fileKey: fileKey)
        }
    }

    /// Wraps one recipient at a time; a plugin's labels are known only once it wrapped, so the
    /// label rule is checked again with them, still before anything is written.
    private func wrapWithPlugins(fileKey: SecureBytes) throws -> [Stanza] {
        var stanzas: [Stanza] = []
        var labeled: [any Recipient] = []
        for recipient in recipients {
            if let plugin = recipient as? PluginRecipient {
                let (wrapped, labels) = try plugin.wrapWithLabels(fileKey: fileKey)
                stanzas += wrapped
                labeled.append(LabeledRecipient(encoded: plugin.encoded, labels: labels))
            } else {
                stanzas += try recipient.wrap(fileKey: fileKey)
                labeled.append(recipient)
            }
        }
        try RecipientLabels.check(labeled)
        return stanzas
    }

    /// A recipient's encoding with the labels its plugin gave, for the label check.
    private struct LabeledRecipient: Recipient {
        let encoded: String
        let labels: Set<String>
        func wrap(fileKey: SecureBytes) throws -> [Stanza] { [] }
    }

    /// Result slots for parallel wrapping; each index is written by exactly one worker.
    private final class WrapResults: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Result<[Stanza], any Error>>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: .success([]))
        }
        deinit {
            slots.deinitialize()
            slots.deallocate()
        }
        func set(_ i: Int, _ value: Result<[Stanza], any Error>) { slots[i] = value }
        var values: [Result<[Stanza], any Error>] { Array(slots) }
    }
}

/// Decrypts with a list of identities, tried in order.
public struct Decryptor: Sendable {
    /// Whether the input is armored.
    public enum ArmorMode: Sendable {
        /// Detect armor from the first bytes (after optional whitespace).
        case detect
        /// The input must be armored.
        case required
        /// The input must be binary.
        case none
    }

    /// The identities, tried in order against the header's stanzas.
    public let identities: [any Identity]
    /// Caps applied to the header.
    public let limits: Limits
    /// The STREAM settings (batch size, parallelism).
    public let stream: PayloadStream

    /// A decryptor. With no identities every well-formed file fails with `noMatch`. Plugin
    /// identities are tried after all others (as age does): a native key that opens the file
    /// never starts a plugin, which may ask for a PIN or a touch.
    public init(identities: [any Identity], limits: Limits = .default, stream: PayloadStream = PayloadStream()) {
        self.identities = identities.filter { !($0 is PluginIdentity) } + identities.filter { $0 is PluginIdentity }
        self.limits = limits
        self.stream = stream
    }

    /// Decrypts all of `source` into `sink` in constant memory. Plaintext is written only after
    /// its chunk authenticated; on a payload error, earlier chunks may already have been written.
    public func decrypt<S: ByteSource, W: ByteSink>(from source: S, to sink: inout W, armor: ArmorMode = .detect) throws {
        try decrypt(from: source, to: &sink, armor: armor, inMemorySize: nil)
    }

    /// `inMemorySize`, the size of an in-memory input, bounds every buffer: small values then cost
    /// no 16 KiB header buffer and no 64 KiB chunk buffer.
    private func decrypt<S: ByteSource, W: ByteSink>(from source: S, to sink: inout W, armor: ArmorMode, inMemorySize: Int?) throws {
        let bufferSize = inMemorySize.map { $0 + 1 } ?? 16 * 1024
        let maxPayloadBytes = inMemorySize ?? .max
        var buffered = BufferedSource(source, bufferSize: bufferSize)
        let armored: Bool
        switch armor {
        case .detect: armored = try buffered.looksArmored()
        case .required: armored = true
        case .none: armored = false
        }
        if armored {
            var inner = BufferedSource(ArmorSource(buffered), bufferSize: bufferSize)
            try decryptBinary(from: &inner, to: &sink, maxPayloadBytes: maxPayloadBytes)
        } else {
            try decryptBinary(from: &buffered, to: &sink, maxPayloadBytes: maxPayloadBytes)
        }
    }

    /// Decrypts `ciphertext` (binary or armored) in memory; for small values such as stored
    /// secrets. Buffers are sized to the value. The result never moves while it is collected
    /// (plaintext is shorter than its ciphertext), and is wiped when decryption fails part way.
    public func decrypt(_ ciphertext: [UInt8]) throws -> [UInt8] {
        var sink = ArraySink(reservingCapacity: ciphertext.count)
        do {
            try decrypt(from: ArraySource(ciphertext), to: &sink, armor: .detect, inMemorySize: ciphertext.count)
        } catch {
            sink.wipe()
            throw error
        }
        return sink.bytes
    }

    /// Parses the header and unwraps the file key, verifying the header MAC.
    func openHeader<S: ByteSource>(from source: inout BufferedSource<S>) throws -> SecureBytes {
        let header = try Header.parse(from: &source, limits: limits)
        try ScryptIdentity.checkAlone(in: header.stanzas)
        for identity in identities.map({ ($0 as? ScryptIdentity)?.capped(by: limits) ?? $0 }) {
            if let fileKey = try identity.unwrap(stanzas: header.stanzas) {
                guard fileKey.count == FileKey.size else {
                    throw AgeError.header("the unwrapped file key is not 16 bytes")
                }
                guard header.verifyMAC(fileKey: fileKey) else {
                    throw AgeError(.hmac, "the header MAC does not verify: the file was modified or corrupted")
                }
                return fileKey
            }
        }
        throw AgeError(.noMatch, "no identity matched any of the file's \(header.stanzas.count) recipient stanza(s)")
    }

    private func decryptBinary<S: ByteSource, W: ByteSink>(from source: inout BufferedSource<S>, to sink: inout W, maxPayloadBytes: Int) throws {
        let fileKey = try openHeader(from: &source)
        var nonce = [UInt8](repeating: 0, count: PayloadStream.nonceSize)
        let n = try nonce.withUnsafeMutableBytes { try source.readFull(into: $0) }
        guard n == PayloadStream.nonceSize else {
            throw AgeError.header("the file ends before the payload nonce; it is truncated")
        }
        try stream.decrypt(from: &source, to: &sink, payloadKey: PayloadStream.payloadKey(fileKey: fileKey, nonce: nonce),
                           maxPayloadBytes: maxPayloadBytes)
    }
}
