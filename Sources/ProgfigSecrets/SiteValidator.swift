import AgeFormat
import Foundation

/// Checks a site for mistakes that would break deployment or leave secrets unreadable, without
/// decrypting any secret. Each finding is a `SiteError` naming the file and, where known, the line.
public struct SiteValidator {
    /// The site checked.
    public let site: Site

    /// A validator for `site`.
    public init(site: Site) { self.site = site }

    /// Every finding, in a stable order; empty when the site is sound. Throws only when the
    /// inventory itself cannot be loaded.
    public func findings() throws -> [SiteError] {
        let hosts = try site.hostStore()
        var findings: [SiteError] = []

        for member in hosts.unlistedGroupMembers {
            findings.append(SiteError("group \"\(member.group)\" lists \"\(member.node)\", which is not in node_function_map",
                                      file: member.file, line: member.line))
        }
        var publicKeys: [String: String] = [:]
        for node in hosts.nodes {
            guard try site.hasNodeData(node) else {
                findings.append(SiteError("node_function_map lists \"\(node)\", but neither nodes/\(node).py nor nodes/\(node).conf exists",
                                          file: hosts.file, line: hosts.line(ofNode: node)))
                continue
            }
            do {
                let data = try site.nodeData(node)
                if let key = data.agePubkey {
                    publicKeys[node] = key
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
        }
        findings += controllerFindings()
        findings += mixedKindsFindings(hosts: hosts, publicKeys: publicKeys)
        findings += try secretsFileFindings(hosts: hosts)
        return findings
    }

    /// Each node and group whose readers (with the controller) mix post-quantum and classic keys,
    /// so that secrets can't be stored to it or rekeyed. Keys that don't parse are reported above.
    private func mixedKindsFindings(hosts: MemoryHostStore, publicKeys: [String: String]) -> [SiteError] {
        let controller = (try? site.secretsSettings()).flatMap { try? AgeKeys.recipient($0.controllerPublicKey) }
        func readers(_ nodes: [String]) -> SecretReaders {
            var readers = SecretReaders()
            for node in nodes {
                if let key = publicKeys[node], let recipient = try? AgeKeys.recipient(key) { readers.add(node: node, recipient) }
            }
            if let controller { readers.addController(controller) }
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

    private func secretsFileFindings(hosts: MemoryHostStore) throws -> [SiteError] {
        var findings: [SiteError] = []
        var files: [(URL, String?)] = [(site.controllerSecretsURL, nil)]
        for (directory, dir, known) in [("nodes", site.layout.nodesDirectory, Set(hosts.nodes)), ("groups", site.layout.groupsDirectory, Set(hosts.groups))] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for file in names.sorted() where file.hasSuffix(".secrets.json") {
                let owner = String(file.dropLast(".secrets.json".count))
                let orphan = known.contains(owner) ? nil
                    : "secrets file for \(directory == "nodes" ? "node" : "group") \"\(owner)\", which is not in the inventory"
                files.append((dir.appendingPathComponent(file), orphan))
            }
        }
        for (url, _) in files {
            for leftover in SecretsFile.abandonedTemporaryFiles(of: url) {
                findings.append(SiteError("left by an interrupted save; the next save of \(url.lastPathComponent) removes it", file: leftover.path))
            }
        }
        for (url, orphan) in files where FileManager.default.fileExists(atPath: url.path) {
            if let orphan { findings.append(SiteError(orphan, file: url.path)) }
            let secrets: [String: String]
            do { secrets = try SecretsFile.read(url) } catch let error as SiteError {
                findings.append(error)
                continue
            }
            for name in secrets.keys.sorted() {
                do { _ = try Header.parse(Array(secrets[name]!.utf8)) } catch let error as AgeError {
                    findings.append(SiteError("secret \"\(name)\" is not a valid age file: \(error.message)", file: url.path))
                }
            }
        }
        return findings
    }
}
