import AgeFormat
import ArgumentParser
import Foundation

/// `progfig keygen`: creates age X25519 identities, or prints the recipients of identities,
/// in the format of age-keygen.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate an age identity (secret key), or print the recipients of identities.",
        usage: """
            progfig keygen [-o OUTPUT]
            progfig keygen -y [-o OUTPUT] [INPUT]
            """,
        discussion: """
            Without -y, generates a new X25519 identity and writes it as age-keygen does: a \
            "# created:" line, a "# public key: age1…" line, and the AGE-SECRET-KEY-1… line. \
            With -o the file is created with mode 0600 and never replaces an existing file, and \
            the public key is also printed on standard error.

            With -y, reads an identity file (standard input when INPUT is omitted or -) and \
            prints the recipient (public key) of each identity, one per line.

            Examples:

              progfig keygen -o key.txt
              progfig keygen -y key.txt > recipients.txt
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Write to OUTPUT (mode 0600) instead of standard output; refuses to replace an existing file.", valueName: "OUTPUT"))
    var output: String?

    @Flag(name: .customShort("y"), help: "Print the recipient of each identity in INPUT instead of generating one.")
    var convert = false

    @Argument(help: ArgumentHelp("With -y, the identity file to read (default: standard input).", valueName: "INPUT"))
    var input: String?

    func validate() throws {
        if input != nil && !convert {
            throw ValidationError("INPUT is only accepted with -y")
        }
    }

    func run() throws {
        if convert {
            try printRecipients()
        } else {
            try generate()
        }
    }

    private func generate() throws {
        var file = KeygenFile.generate()
        defer { file.wipe() }
        let publicKey = file.recipient
        try OutputSink.with(path: output, mode: 0o600, overwrite: false) { sink in
            try file.contents.withUnsafeBytes { try sink.write($0) }
        }
        if !OutputSink.isStandardOutput(output) || isatty(STDOUT_FILENO) != 1 {
            Output.standardError("Public key: \(publicKey)\n")
        }
    }

    private func printRecipients() throws {
        let identities = try CommandLineKeys(passphrases: PassphraseSource()).identities(files: [input ?? "-"])
        let lines = identities.compactMap { $0.recipient.map { $0.encoded + "\n" } }.joined()
        try OutputSink.with(path: output, mode: OutputSink.ordinaryFileMode, overwrite: false) { try $0.write(lines) }
    }
}
