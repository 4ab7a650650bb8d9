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
        let inventory = site.inventory
        var findings: [SiteError] = []

        for member in hosts.unlistedGroupMembers {
            findings.append(SiteError("group \"\(member.group)\" lists \"\(member.node)\", which is not in node_function_map",
                                      file: member.file, line: member.line))
        }
        var publicKeys: [String: String] = [:]
        for entry in inventory.nodeFunctions {
            let node = entry.name
            let conf = try site.nodeConfURL(node)
            if !FileManager.default.fileExists(atPath: conf.path) {
                findings.append(SiteError("node_function_map lists \"\(node)\", but \(conf.path) does not exist",
                                          file: inventory.path, line: entry.line))
            } else {
                do {
                    let data = try site.nodeData(node)
                    if let key = data.agePubkey {
                        publicKeys[node] = key
                        do { _ = try AgeKeys.recipient(key) } catch {
                            findings.append(SiteError("node \"\(node)\": age_pubkey does not parse: \(error.message)", file: data.path))
                        }
                    } else {
                        findings.append(SiteError("node \"\(node)\" has no age_pubkey in [sitedata]", file: data.path))
                    }
                } catch let error as SiteError {
                    findings.append(error)
                }
            }
            do { _ = try hosts.nodeRoles(node) } catch let error as SiteError {
                findings.append(SiteError(error.message, file: inventory.path, line: entry.line))
            }
        }
        findings += controllerFindings()
        findings += try secretsFileFindings(hosts: hosts)
        return findings
    }

    private func controllerFindings() -> [SiteError] {
        let inventory = site.inventory
        guard let pub = inventory.controllerAgePub else {
            return [SiteError("[secrets] has no controller_age_pub; secrets cannot be stored", file: inventory.path)]
        }
        let recipient: any Recipient
        do { recipient = try AgeKeys.recipient(pub.value) } catch {
            return [SiteError("controller_age_pub does not parse: \(error.message)", file: inventory.path, line: pub.line)]
        }
        do {
            if let key = try site.plainControllerKey(), !key.identities.contains(where: { $0.recipient?.encoded == recipient.encoded }) {
                return [SiteError("controller_age_pub does not match the controller key in \(key.path)", file: inventory.path, line: pub.line)]
            }
        } catch {
            return [error as? SiteError ?? SiteError("controller key cannot be read: \(error)")]
        }
        return []
    }

    private func secretsFileFindings(hosts: MemoryHostStore) throws -> [SiteError] {
        var findings: [SiteError] = []
        var files: [(URL, String?)] = [(site.controllerSecretsURL, nil)]
        for (directory, known) in [("nodes", Set(hosts.nodes)), ("groups", Set(hosts.groups))] {
            let dir = site.root.appendingPathComponent(directory)
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
