import ArgumentParser
import ProgfigSecrets

/// `progfig validate`: the site's findings; a non-zero exit when there are any.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the site for mistakes; exit with status 1 when there are any.",
        discussion: """
            Checks, without decrypting any secret: group members that are not in \
            node_function_map, nodes with no node data (nodes/NODE.py or nodes/NODE.conf), \
            nodes whose function has no entry in function_role_map, nodes without an age_pubkey \
            or with one that does not parse, an ssh_host_fingerprint that is not its SSH key's, \
            nodes and groups whose readers mix post-quantum and classic keys, secrets files that \
            are not valid JSON or hold values that are not age files, secrets files of unknown \
            nodes or groups, temporary files left by an interrupted save, and a \
            controller_age_pub that is missing, does not parse, or does not match the controller \
            key when that key is present.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try SiteContext(global)
        let bar = ProgressBar.start("validate", unit: .items("nodes and files"), hidden: global.hidesProgress)
        let findings: [SiteError]
        do {
            defer { bar?.finish() }
            findings = try SiteValidator(site: context.site).findings(progress: bar?.handler)
        }
        for finding in findings { try Output.line(finding.description) }
        guard findings.isEmpty else {
            throw CLIError("\(findings.count) problem(s) found in site \(context.site.name)")
        }
        if !global.quiet { Output.note("site \(context.site.name): no problems found") }
    }
}
