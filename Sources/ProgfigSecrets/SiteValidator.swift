import AgeFormat
import Foundation

/// Checks a site for mistakes that would break deployment or leave secrets unreadable, without
/// decrypting any secret. Each finding is a `SiteError` naming the file and, where known, the line.
public struct SiteValidator: Sendable {
    /// The site checked.
    public let site: Site

    /// A validator for `site`.
    public init(site: Site) { self.site = site }

    /// Every finding, in a stable order; empty when the site is sound. Throws only when the
    /// inventory itself cannot be loaded. Nodes and secrets files are checked in parallel, each
    /// once; `progress` is told of each one checked.
    public func findings(progress: ProgressHandler? = nil) throws -> [SiteError] {
        let hosts = try site.hostStore()
        var findings: [SiteError] = []

        for member in hosts.unlistedGroupMembers {
            findings.append(SiteError("group \"\(member.group)\" lists \"\(member.node)\", which is not in node_function_map",
                                      file: member.file, line: member.line))
        }
        let files = secretsFiles(hosts: hosts)
        let nodes = hosts.nodes
        let counter = ProgressCounter(total: nodes.count + files.count, handler: progress)
        let validator = self
        var publicKeys: [String: String] = [:]
        for (node, result) in zip(nodes, concurrentMap(nodes.count, { i in
            defer { counter.tick() }
            return Result { try validator.nodeFindings(nodes[i], hosts: hosts) }
        })) {
            let checked = try result.get()
            findings += checked.findings
            publicKeys[node] = checked.publicKey
        }
        findings += controllerFindings()
        findings += mixedKindsFindings(hosts: hosts, publicKeys: publicKeys)
        findings += abandonedFileFindings(files.map(\.url))
        for result in concurrentMap(files.count, { i in
            defer { counter.tick() }
            return validator.secretsFileFindings(files[i].url, orphan: files[i].orphan)
        }) {
            findings += result
        }
        return findings
    }

    /// One node's findings (its node data, its age_pubkey, its roles) and its age_pubkey.
    private func nodeFindings(_ node: String, hosts: MemoryHostStore) throws -> (findings: [SiteError], publicKey: String?) {
        guard try site.hasNodeData(node) else {
            return ([SiteError("node_function_map lists \"\(node)\", but neither nodes/\(node).py nor nodes/\(node).conf exists",
                               file: hosts.file, line: hosts.line(ofNode: node))], nil)
        }
        var findings: [SiteError] = []
        var publicKey: String?
        do {
            let data = try site.nodeData(node)
            if let key = data.agePubkey {
                publicKey = key
                do {
                    let recipient = try AgeKeys.recipient(key)
                    if let expected = data.sshHostFingerprint, let actual = AgeKeys.sshFingerprint(of: recipient), expected != actual {
                        findings.append(SiteError("node \"\(node)\": ssh_host_fingerprint \(expected) is not the fingerprint of its SSH age_pubkey (\(actual))",
                                                  file: data.path))
                    }
                } catch {
                    findings.append(SiteError("node \"\(node)\": age_pubkey does not parse: \(error.message)",
                                              file: data.path, line: data.agePubkeyLine))
                }
            } else {
                findings.append(SiteError("node \"\(node)\" has no age_pubkey in its sitedata", file: data.path))
            }
        } catch let error as SiteError {
            findings.append(error)
        }
        do { _ = try hosts.nodeRoles(node) } catch let error as SiteError {
            findings.append(error)
        }
        return (findings, publicKey)
    }

    /// Each node and group whose readers (with the controller) mix post-quantum and classic keys,
    /// so that secrets can't be stored to it or rekeyed. Keys that don't parse are reported above.
    private func mixedKindsFindings(hosts: MemoryHostStore, publicKeys: [String: String]) -> [SiteError] {
        let controller = (try? site.secretsSettings()).flatMap { try? AgeKeys.recipient($0.controllerPublicKey) }
        let parsed = publicKeys.compactMapValues { try? AgeKeys.recipient($0) }
        func readers(_ nodes: [String]) -> SecretReaders {
            var readers = SecretReaders()
            if let controller { readers.addController(controller) }
            for node in nodes {
                if let recipient = parsed[node] { readers.add(node: node, recipient) }
            }
            return readers
        }
        var collections: [(SecretCollection, [String])] = hosts.nodes.map { (.node($0), [$0]) }
        collections += hosts.groups.map { group in (.group(group), (try? hosts.groupMembers(group)) ?? []) }
        return collections.compactMap { collection, members in
            readers(members).mixedKindsProblem(collection.description).map { SiteError($0, file: hosts.file) }
        }
    }

    private func controllerFindings() -> [SiteError] {
        let settings: SecretsSettings
        do { settings = try site.secretsSettings() } catch {
            return [error as? SiteError ?? SiteError("\(error)")]
        }
        let recipient: any Recipient
        do { recipient = try AgeKeys.recipient(settings.controllerPublicKey) } catch {
            return [SiteError("controller public key does not parse: \(error.message)", file: settings.file, line: settings.line, column: settings.column)]
        }
        do {
            if let key = try site.plainControllerKey(), !key.identities.contains(where: { $0.recipient?.encoded == recipient.encoded }) {
                return [SiteError("controller_age_pub does not match the controller key in \(key.path)", file: settings.file, line: settings.line)]
            }
        } catch {
            return [error as? SiteError ?? SiteError("controller key cannot be read: \(error)")]
        }
        return []
    }

    /// The controller's secrets file and every `*.secrets.json` in nodes/ and groups/, with the
    /// finding for those whose node or group is not in the inventory.
    private func secretsFiles(hosts: MemoryHostStore) -> [(url: URL, orphan: String?)] {
        var files: [(url: URL, orphan: String?)] = [(site.controllerSecretsURL, nil)]
        for (directory, dir, known) in [("nodes", site.layout.nodesDirectory, Set(hosts.nodes)), ("groups", site.layout.groupsDirectory, Set(hosts.groups))] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for file in names.sorted() where file.hasSuffix(".secrets.json") {
                let owner = String(file.dropLast(".secrets.json".count))
                let orphan = known.contains(owner) ? nil
                    : "secrets file for \(directory == "nodes" ? "node" : "group") \"\(owner)\", which is not in the inventory"
                files.append((dir.appendingPathComponent(file), orphan))
            }
        }
        return files
    }

    /// Temporary files of `files` left by interrupted saves, listing each directory once.
    private func abandonedFileFindings(_ files: [URL]) -> [SiteError] {
        var abandoned: [String: [String: [URL]]] = [:]
        return files.flatMap { url -> [SiteError] in
            let directory = url.deletingLastPathComponent()
            if abandoned[directory.path] == nil { abandoned[directory.path] = SecretsFile.abandonedTemporaryFiles(in: directory) }
            return (abandoned[directory.path]![url.lastPathComponent] ?? []).map {
                SiteError("left by an interrupted save; the next save of \(url.lastPathComponent) removes it", file: $0.path)
            }
        }
    }

    /// One secrets file's findings: not in the inventory, unreadable, or holding values that are not age files.
    private func secretsFileFindings(_ url: URL, orphan: String?) -> [SiteError] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        var findings: [SiteError] = []
        if let orphan { findings.append(SiteError(orphan, file: url.path)) }
        let secrets: [String: String]
        do { secrets = try SecretsFile.read(url) } catch let error as SiteError {
            return findings + [error]
        } catch {
            return findings + [SiteError("cannot read: \(error)", file: url.path)]
        }
        for name in secrets.keys.sorted() {
            do { _ = try Header.parse(Array(secrets[name]!.utf8)) } catch let error as AgeError {
                findings.append(SiteError("secret \"\(name)\" is not a valid age file: \(error.message)", file: url.path))
            } catch {
                findings.append(SiteError("secret \"\(name)\" is not a valid age file: \(error)", file: url.path))
            }
        }
        return findings
    }
}
