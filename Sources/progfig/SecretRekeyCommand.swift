import ArgumentParser
import ProgfigSecrets

/// `progfig secret rekey`: re-encrypt every stored secret to its current recipients.
struct SecretRekeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Re-encrypt every stored secret to its collection's current recipients.",
        discussion: """
            Run after a node joins or leaves a group or a node's key changes. Needs the \
            controller key. Files are rekeyed in parallel; each secrets file is rewritten \
            atomically, and none is replaced until all were rekeyed; values do not change. A \
            rekey interrupted while replacing files is completed by running it again.

              progfig secret rekey --dry-run
              progfig secret rekey
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .customLong("dry-run"), help: "Decrypt and re-encrypt in memory, report, and write nothing.")
    var dryRun = false

    func run() throws {
        let store = try SiteContext(global).secretStore()
        let bar = ProgressBar.start(dryRun ? "rekey (dry run)" : "rekey", unit: .items("files"), hidden: global.hidesProgress)
        let results: [RekeyResult]
        do {
            defer { bar?.finish() }
            results = try store.rekey(dryRun: dryRun, progress: bar?.handler)
        }
        let verb = dryRun ? "would re-encrypt" : "re-encrypted"
        for result in results where !global.quiet {
            try Output.line("\(result.file): \(verb) \(result.secrets.count) secret(s) of \(result.collection) to \(result.recipients.count) recipient(s)")
            if global.verbose {
                for name in result.secrets { try Output.line("  \(name)") }
            }
        }
        if results.isEmpty && !global.quiet { try Output.line("no stored secrets") }
    }
}
