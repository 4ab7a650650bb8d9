import AgeFormat
import Foundation
import SecureIO

extension AgeSecretStore {
    /// Re-encrypts every stored secret to its collection's current recipients (after a node joined
    /// a group or a key changed), files in parallel on all cores; with `dryRun` nothing is written.
    /// All files are locked and rekeyed into temporary files before any is renamed into place, so
    /// a secret that cannot be decrypted fails the whole rekey with nothing changed; then one sync
    /// makes them all durable, the renames follow, and one fsync per directory. Each file is
    /// the old or the new one; a rekey interrupted among the renames is completed by running it again. `progress` is told of
    /// each file done. Returns one entry per secrets file that holds secrets, in collection order.
    public func rekey(dryRun: Bool, progress: ProgressHandler? = nil) throws -> [RekeyResult] {
        try checkControllerPublicKey()
        let files = try allCollections().map { (collection: $0, url: try $0.url(in: site)) }
            .filter { FileManager.default.fileExists(atPath: $0.url.path) }
        let recipients = try rekeyRecipients(files.map(\.collection))
        let decryptor = Decryptor(identities: try rekeyIdentities(files.map(\.url)))
        return try FileLock.withExclusiveLocks(for: files.map(\.url)) {
            if !dryRun { SecretsFile.removeAbandonedTemporaryFiles(of: files.map(\.url)) }
            let counter = ProgressCounter(total: files.count, handler: progress)
            let firstFailure = FirstFailure()
            let outcomes = concurrentMap(files.count) { i -> Result<RekeyedFile?, any Error>? in
                // Files after one that failed are not worth rekeying: that failure is reported.
                guard !firstFailure.precedes(i) else { return nil }
                defer { counter.tick() }
                let outcome = Result {
                    try Self.rekeyFile(files[i].collection, at: files[i].url, to: recipients[i], with: decryptor, write: !dryRun)
                }
                if case .failure = outcome { firstFailure.record(i) }
                return outcome
            }
            var results: [RekeyResult] = []
            var written: [AtomicOutputFile] = []
            for outcome in outcomes.compactMap({ $0 }) {
                guard let file = try outcome.get() else { continue }
                results.append(file.result)
                if let temporary = file.temporary { written.append(temporary) }
            }
            let (published, failure) = AtomicOutputFile.publishAll(written)
            if let failure {
                throw SiteError("\(failure.message); \(published) of \(written.count) secrets files were rekeyed and the others "
                                + "are unchanged: run the rekey again to complete it", file: failure.path)
            }
            return results
        }
    }

    /// A secrets file rekeyed: what was done, and the closed temporary file holding the result
    /// when writing (made durable with the others by `publishAll`).
    private struct RekeyedFile {
        let result: RekeyResult
        let temporary: AtomicOutputFile?
    }

    /// Decrypts and re-encrypts every secret of one file; nil when it holds none.
    private static func rekeyFile(_ collection: SecretCollection, at url: URL, to recipients: [any Recipient],
                                  with decryptor: Decryptor, write: Bool) throws -> RekeyedFile? {
        let secrets = try SecretsFile.read(url)
        guard !secrets.isEmpty else { return nil }
        let encryptor = try Encryptor(recipients: recipients, armored: true)
        var rekeyed: [String: String] = [:]
        for (name, armored) in secrets {
            var plaintext: [UInt8]
            do { plaintext = try decryptor.decrypt(Array(armored.utf8)) } catch let error as AgeError {
                throw SiteError("cannot decrypt secret \"\(name)\" of \(collection) to rekey it: \(error.message)", file: url.path)
            }
            defer { SecureBytes.wipe(&plaintext) }
            rekeyed[name] = String(decoding: try encryptor.encrypt(plaintext), as: UTF8.self)
        }
        let result = RekeyResult(collection: collection, file: url.path, secrets: rekeyed.keys.sorted(),
                                 recipients: recipients.map(\.encoded))
        guard write else { return RekeyedFile(result: result, temporary: nil) }
        do {
            let file = try AtomicOutputFile(url: url.standardizedFileURL, mode: 0o644)
            try SecretsFile.encode(rekeyed).withUnsafeBytes { try file.write($0) }
            try file.finishWriting()
            return RekeyedFile(result: result, temporary: file)
        } catch let failure as IOFailure {
            throw SiteError(failure.message, file: failure.path)
        }
    }

    /// The keys to decrypt with. A plugin key (a controller key on a hardware token) unwraps
    /// every secret's file key up front in one conversation, so it asks for a touch or PIN once
    /// rather than once per file; that reads every value's header first.
    private func rekeyIdentities(_ urls: [URL]) throws -> [any Identity] {
        let identities = try keys.identities()
        guard identities.contains(where: { $0 is PluginIdentity }) else { return identities }
        let values = try urls.flatMap { try SecretsFile.read($0).values.map { Array($0.utf8) } }
        return try PluginBatch.identities(identities, for: values)
    }

    /// The current recipients of each collection, reading each node's public key once however
    /// many groups it is in (reads in parallel); errors in collection order.
    private func rekeyRecipients(_ collections: [SecretCollection]) throws -> [[any Recipient]] {
        // A node read as itself must be in node_function_map; as a group member, its node data is enough.
        struct Lookup: Hashable { let node: String, asGroupMember: Bool }
        var needed: [Lookup] = []
        var seen = Set<Lookup>()
        for collection in collections {
            let lookups: [Lookup]
            switch collection {
            case .node(let n): lookups = [Lookup(node: n, asGroupMember: false)]
            case .group(let g): lookups = try hostStore.groupMembers(g).map { Lookup(node: $0, asGroupMember: true) }
            case .controller: lookups = []
            }
            needed += lookups.filter { seen.insert($0).inserted }
        }
        let store = self, lookups = needed
        let found = concurrentMap(lookups.count) { i in
            Result { try store.recipient(node: lookups[i].node, asGroupMember: lookups[i].asGroupMember) }
        }
        let byLookup = Dictionary(uniqueKeysWithValues: zip(lookups, found))
        return try collections.map { collection in
            try currentRecipients(of: collection) { node, asGroupMember in
                try byLookup[Lookup(node: node, asGroupMember: asGroupMember)]!.get()
            }
        }
    }
}

/// The lowest index that failed so far, shared by parallel workers.
private final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var index = Int.max

    /// Records that item `i` failed.
    func record(_ i: Int) {
        lock.lock()
        index = min(index, i)
        lock.unlock()
    }

    /// True when an item before `i` failed.
    func precedes(_ i: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return index < i
    }
}
