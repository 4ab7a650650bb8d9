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
        let counter = ProgressCounter(total: site.inventory.nodeFunctions.count + files.count, handler: progress)
        let entries = site.inventory.nodeFunctions
        let validator = self
        for result in concurrentMap(entries.count, { i in
            defer { counter.tick() }
            return Result { try validator.nodeFindings(entries[i].name, line: entries[i].line, hosts: hosts) }
        }) {
            findings += try result.get()
        }
        findings += controllerFindings()
        findings += abandonedFileFindings(files.map(\.url))
        for result in concurrentMap(files.count, { i in
            defer { counter.tick() }
            return validator.secretsFileFindings(files[i].url, orphan: files[i].orphan)
        }) {
            findings += result
        }
        return findings
    }

    /// One node's findings: its configuration file, its age_pubkey, its roles.
    private func nodeFindings(_ node: String, line: Int?, hosts: MemoryHostStore) throws -> [SiteError] {
        let inventory = site.inventory
        var findings: [SiteError] = []
        let conf = try site.nodeConfURL(node)
        if !FileManager.default.fileExists(atPath: conf.path) {
            findings.append(SiteError("node_function_map lists \"\(node)\", but \(conf.path) does not exist",
                                      file: inventory.path, line: line))
        } else {
            do {
                let data = try site.nodeData(node)
                if let key = data.agePubkey {
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
            findings.append(SiteError(error.message, file: inventory.path, line: line))
        }
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

    /// The controller's secrets file and every `*.secrets.json` in nodes/ and groups/, with the
    /// finding for those whose node or group is not in the inventory.
    private func secretsFiles(hosts: MemoryHostStore) -> [(url: URL, orphan: String?)] {
        var files: [(url: URL, orphan: String?)] = [(site.controllerSecretsURL, nil)]
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
