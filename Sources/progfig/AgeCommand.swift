import AgeFormat
import ArgumentParser
import Foundation
import SecureIO

/// `progfig age`: encrypts and decrypts age files, with the flags and meanings of age 1.1.
struct AgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "age",
        abstract: "Encrypt or decrypt a file in the age format (compatible with age and rage).",
        usage: """
            progfig age [-e] (-r RECIPIENT | -R PATH)... [-a] [-o OUTPUT] [INPUT]
            progfig age -e (-r RECIPIENT | -R PATH | -i PATH | -j PLUGIN)... [-a] [-o OUTPUT] [INPUT]
            progfig age [-e] -p [-a] [-o OUTPUT] [INPUT]
            progfig age -d [-i PATH | -j PLUGIN]... [-o OUTPUT] [INPUT]
            progfig age inspect [-i PATH]... [--json] [INPUT]
            """,
        discussion: """
            Encrypts INPUT to one or more recipients, or to a passphrase, and writes an age \
            file; with -d, decrypts one. The flags are those of age 1.1. INPUT is read from \
            standard input when omitted or -, and the result goes to standard output unless \
            -o is given. With -o, the file appears only once the whole result was written: a \
            failed decryption leaves no file behind.

            A passphrase is read from the terminal without echo (twice when encrypting), or \
            taken from the environment variable PROGFIG_PASSPHRASE when it is set. The same \
            applies to passphrase-protected identity files given with -i.

            Keys held by an age plugin (a YubiKey through age-plugin-yubikey, a TPM, the \
            Secure Enclave) work as with age: a recipient age1NAME1… or an identity \
            AGE-PLUGIN-NAME-1… in an identity file runs age-plugin-NAME, found in PATH's \
            absolute directories (never the current directory), which may ask for a PIN or a \
            touch on the terminal. -j NAME uses that plugin without identity data. Native \
            identities are tried before plugins. progfig waits at most \
            $PROGFIG_PLUGIN_TIMEOUT seconds (default 300) for each answer of a plugin.

            Examples:

              progfig age -o notes.age \\
                -r age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p notes.txt
              progfig age -R recipients.txt -a < notes.txt > notes.age
              progfig age -p -o notes.age notes.txt
              progfig age -d -i key.txt -o notes.txt notes.age

            'progfig age inspect' shows what a file is encrypted to without decrypting it.
            """
    )

    @Flag(name: .shortAndLong, help: "Encrypt INPUT (the default unless -d is given).")
    var encrypt = false

    @Flag(name: .shortAndLong, help: "Decrypt INPUT. Armored and passphrase-encrypted input is detected automatically.")
    var decrypt = false

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Encrypt to RECIPIENT, an age1… public key. Can be repeated.", valueName: "RECIPIENT"))
    var recipient: [String] = []

    @Option(name: [.customShort("R"), .customLong("recipients-file")], help: ArgumentHelp(
        "Encrypt to the recipients listed in the file at PATH, one per line (- for standard input). Can be repeated.",
        valueName: "PATH"))
    var recipientsFile: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Decrypt with the identities in the file at PATH (- for standard input); with -e, encrypt to their recipients. Can be repeated.",
        valueName: "PATH"))
    var identity: [String] = []

    @Option(name: .customShort("j"), help: ArgumentHelp(
        "Use the age plugin NAME (age-plugin-NAME in PATH) with an identity without data: decrypt with it, or encrypt to it. Can be repeated.",
        valueName: "PLUGIN"))
    var plugin: [String] = []

    @Flag(name: .shortAndLong, help: "Encrypt to ASCII armor (PEM-like text) instead of binary.")
    var armor = false

    @Flag(name: .shortAndLong, help: "Encrypt with a passphrase instead of recipients.")
    var passphrase = false

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Write the result to OUTPUT instead of standard output (- forces standard output). OUTPUT is replaced only when the whole result was written; a decrypted OUTPUT gets mode 0600, an encrypted one 0666 less the umask (as age).",
        valueName: "OUTPUT"))
    var output: String?

    @Argument(help: ArgumentHelp("The file to read (default: standard input).", valueName: "INPUT"))
    var input: String?

    @Flag(name: .customLong("no-progress"), help: "Show no progress bar (one is shown on a terminal for inputs of 64 MiB or more).")
    var noProgress = false

    /// Inputs at least this large get a progress bar on a terminal.
    static let progressThreshold = 64 << 20

    func validate() throws {
        if encrypt && decrypt {
            throw ValidationError("-e/--encrypt can't be used with -d/--decrypt")
        }
        if decrypt {
            try refuse(!recipient.isEmpty, "-r/--recipient can't be used with -d/--decrypt; did you mean -i/--identity?")
            try refuse(!recipientsFile.isEmpty, "-R/--recipients-file can't be used with -d/--decrypt; did you mean -i/--identity?")
            try refuse(armor, "-a/--armor can't be used with -d/--decrypt; armored input is detected automatically")
            try refuse(passphrase, "-p/--passphrase can't be used with -d/--decrypt; passphrase-encrypted input is detected automatically")
        } else {
            // As age: encrypting to an identity file's recipients must be asked for with -e, so
            // that a forgotten -d is caught rather than encrypting the ciphertext again.
            try refuse((!identity.isEmpty || !plugin.isEmpty) && !encrypt,
                       "-i/--identity and -j encrypt only when -e/--encrypt is given; did you forget -d/--decrypt?")
            if passphrase {
                try refuse(!recipient.isEmpty, "-p/--passphrase can't be combined with -r/--recipient")
                try refuse(!recipientsFile.isEmpty, "-p/--passphrase can't be combined with -R/--recipients-file")
                try refuse(!identity.isEmpty, "-p/--passphrase can't be combined with -i/--identity")
                try refuse(!plugin.isEmpty, "-p/--passphrase can't be combined with -j")
            } else {
                try refuse(recipient.isEmpty && recipientsFile.isEmpty && identity.isEmpty && plugin.isEmpty,
                           "missing recipients; did you forget -r/--recipient, -R/--recipients-file or -p/--passphrase?")
            }
        }
        let stdinUses = (recipientsFile + identity).filter { $0 == "-" }.count + (input == nil || input == "-" ? 1 : 0)
        try refuse(stdinUses > 1, "standard input is used for more than one purpose (INPUT, -R - or -i -)")
    }

    private func refuse(_ condition: Bool, _ message: String) throws {
        if condition { throw ValidationError(message) }
    }

    func run() throws {
        let passphrases = PassphraseSource()
        try InputFile.with(path: input) { input in
            if decrypt {
                try runDecrypt(input: input, passphrases: passphrases)
            } else {
                try runEncrypt(input: input, passphrases: passphrases)
            }
        }
    }

    private func runEncrypt(input: InputFile, passphrases: PassphraseSource) throws {
        if output == nil && !armor && isatty(STDOUT_FILENO) == 1 {
            throw CLIError("refusing to write binary ciphertext to a terminal; use -a/--armor, or -o OUTPUT (-o - forces it)")
        }
        let recipients: [any Recipient] = passphrase
            ? [try ScryptRecipient(passphrase: try passphrases.newPassphrase())]
            : try CommandLineKeys(passphrases: passphrases)
                .recipients(strings: recipient, recipientFiles: recipientsFile, identityFiles: identity, plugins: plugin)
        let encryptor = try Encryptor(recipients: recipients, armored: armor)
        try withProgress("encrypt", input: input) { source in
            try OutputSink.with(path: output, mode: OutputSink.ordinaryFileMode, overwrite: true) { sink in
                try encryptor.encrypt(from: source, to: &sink)
            }
        }
    }

    private func runDecrypt(input: InputFile, passphrases: PassphraseSource) throws {
        let keys = CommandLineKeys(passphrases: passphrases)
        let identities = try keys.identities(files: identity) + keys.pluginIdentities(names: plugin)
        let decryptor = Decryptor(identities: [PassphraseIdentity(passphrases: passphrases, file: input.path)] + identities)
        do {
            try withProgress("decrypt", input: input) { source in
                try OutputSink.with(path: output, mode: 0o600, overwrite: true) { sink in
                    try decryptor.decrypt(from: source, to: &sink)
                }
            }
        } catch let error as AgeError where error.kind == .noMatch && identities.isEmpty {
            throw CLIError("the file is not passphrase-encrypted; give an identity file with -i/--identity", file: input.path)
        } catch let error as AgeError {
            throw CLIError(error.message, file: input.path)
        }
    }

    /// Runs `body` on the input, counted into a progress bar when the input is a regular file of
    /// at least `progressThreshold` bytes and standard error is a terminal.
    private func withProgress(_ label: String, input: InputFile, _ body: (ProgressSource) throws -> Void) throws {
        var info = stat()
        let size = fstat(input.fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
        let bar = size >= Self.progressThreshold
            ? ProgressBar.start(label, unit: .bytes, total: size, hidden: noProgress) : nil
        defer { bar?.finish() }
        try body(ProgressSource(base: input.source, bar: bar))
    }
}

/// A byte source that counts what is read into a progress bar.
struct ProgressSource: ByteSource {
    var base: FileDescriptorSource
    let bar: ProgressBar?

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try base.read(into: buffer)
        bar?.advance(by: n)
        return n
    }
}
