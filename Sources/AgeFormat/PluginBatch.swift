import SecureIO
/// Decrypting many small files (a site's stored secrets) with plugin identities: one plugin
/// conversation per plugin identity for all the files, instead of one per file, so a hardware key
/// asks for its PIN or touch once. Native identities are tried first; a plugin runs only for the
/// files none of them opens.
public enum PluginBatch {
    /// `identities` for decrypting `files` (binary or armored): the native ones unchanged, followed
    /// by the file keys the plugin identities unwrapped ahead of time in one conversation each.
    /// Files whose header does not parse are left to the decryption to report.
    public static func identities(_ identities: [any Identity], for files: [[UInt8]]) throws -> [any Identity] {
        let plugins = identities.compactMap { $0 as? PluginIdentity }
        guard !plugins.isEmpty else { return identities }
        let natives = identities.filter { !($0 is PluginIdentity) }
        var pending: [[Stanza]] = []
        for file in files {
            guard let header = try? Header.parse(file) else { continue }
            let opened = natives.contains { ((try? $0.unwrap(stanzas: header.stanzas)) ?? nil) != nil }
            if !opened && !pending.contains(header.stanzas) { pending.append(header.stanzas) }
        }
        var known = KnownFileKeys()
        for plugin in plugins where !pending.isEmpty {
            let keys = try plugin.unwrap(files: pending)
            for (stanzas, key) in zip(pending, keys) { if let key { known.entries.append((stanzas, key)) } }
            pending = zip(pending, keys).filter { $0.1 == nil }.map(\.0)
        }
        return natives + [known]
    }
}

/// File keys unwrapped ahead of time, found again by the header's stanzas; the Decryptor still
/// verifies each header's MAC with the key.
struct KnownFileKeys: Identity {
    var entries: [(stanzas: [Stanza], fileKey: SecureBytes)] = []

    var recipient: (any Recipient)? { nil }

    func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        entries.first { $0.stanzas == stanzas }?.fileKey
    }
}
