import AgeFormat
import ArgumentParser
import Foundation

/// `progfig age inspect`: what an age file is encrypted to and how big its parts are, without
/// decrypting it; with `-i`, which of the given identities would open it.
struct AgeInspectCommand: ParsableCommand {
    /// The words that select this command; `Progfig.main` dispatches them here.
    static let path = ["age", "inspect"]

    static let configuration = CommandConfiguration(
        commandName: "progfig age inspect",
        abstract: "Show what an age file is encrypted to, without decrypting it.",
        discussion: """
            Reads the age file INPUT (binary or armored; - or nothing for standard input) and \
            prints its recipient stanzas by type and count, whether it is post-quantum, and its \
            size broken down into header, armor, encryption overhead and payload, as age-inspect \
            does. With -i, also tells which of those identities would open the file (the header \
            is checked, the payload is not read). Use a ./ prefix for an input file named inspect.

              progfig age inspect notes.age
              progfig age inspect -i key.txt --json < notes.age
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Check whether the identities in the file at PATH open INPUT. Can be repeated.", valueName: "PATH"))
    var identity: [String] = []

    @Flag(help: "Print a JSON object instead of text.")
    var json = false

    @Argument(help: ArgumentHelp("The age file to inspect (default: standard input).", valueName: "INPUT"))
    var input: String?

    func validate() throws {
        if identity.contains("-") && (input == nil || input == "-") {
            throw ValidationError("standard input is used for more than one purpose (INPUT and -i -)")
        }
    }

    func run() throws {
        let inspection = try InputFile.with(path: input) { file in
            do { return try Inspection.inspect(file.source) } catch let error as AgeError {
                throw CLIError(error.message, file: file.path ?? "standard input")
            }
        }
        var openers: [IdentityCheck] = []
        let keyFiles = CommandLineKeys(passphrases: PassphraseSource())
        for path in identity {
            let identities = try keyFiles.identities(files: [path])
            for (i, identity) in identities.enumerated() {
                let name = identities.count == 1 ? path : "\(path)#\(i + 1)"
                openers.append(IdentityCheck(name: name, opens: (try? inspection.opens(with: identity)) ?? false))
            }
        }
        let report = InspectionReport(inspection, identities: identity.isEmpty ? nil : openers)
        if json {
            try Output.raw(try report.json())
        } else {
            try Output.raw(Array(report.text(name: input == nil || input == "-" ? "standard input" : input!).utf8))
        }
    }
}

/// Whether one identity opens the file inspected.
struct IdentityCheck: Encodable {
    /// The identity file, with `#N` for the Nth identity of a file holding several.
    let name: String
    /// True when the identity unwraps the file key and the header MAC verifies.
    let opens: Bool
}

/// An `Inspection` as `age inspect` and `secret inspect` print it: text for people, JSON with
/// age-inspect's fields (plus counts and identities) for scripts.
struct InspectionReport: Encodable {
    struct Sizes: Encodable {
        let header: Int, armor: Int, overhead: Int
        let min_payload: Int, max_payload: Int, min_padding: Int, max_padding: Int
        let total: Int
    }

    let version = "age-encryption.org/v1"
    let postquantum: String
    let armor: Bool
    let stanza_types: [String]
    let stanza_counts: [String: Int]
    let sizes: Sizes
    let identities: [IdentityCheck]?

    init(_ inspection: Inspection, identities: [IdentityCheck]?) {
        postquantum = inspection.postQuantum.rawValue
        armor = inspection.armored
        stanza_types = inspection.stanzaTypes
        stanza_counts = Dictionary(inspection.stanzaCounts.map { ($0.type, $0.count) }, uniquingKeysWith: +)
        sizes = Sizes(header: inspection.headerSize, armor: inspection.armorSize, overhead: inspection.overheadSize,
                      min_payload: inspection.payloadSize, max_payload: inspection.payloadSize, min_padding: 0,
                      max_padding: 0, total: inspection.totalSize)
        self.identities = identities
        counts = inspection.stanzaCounts
    }

    /// The stanza counts in header order, for the text form.
    private let counts: [(type: String, count: Int)]
    private enum CodingKeys: String, CodingKey {
        case version, postquantum, armor, stanza_types, stanza_counts, sizes, identities
    }

    /// The JSON form: one object, keys sorted, ending with a newline.
    func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(self)) + [0x0a]
    }

    /// The text form, naming the file `name`.
    func text(name: String, indent: String = "") -> String {
        var lines = ["\(name) is \(armor ? "an armored" : "a binary") age file, version \"\(version)\"."]
        lines.append("Recipient stanzas (\(stanza_types.count)):")
        lines += counts.map { "  \($0.type) x\($0.count)" }
        switch postquantum {
        case "yes": lines.append("Post-quantum: yes")
        case "no": lines.append("Post-quantum: no")
        default: lines.append("Post-quantum: unknown (no stanza type progfig knows)")
        }
        lines.append("Sizes (bytes):")
        lines.append("  header    \(sizes.header)")
        if armor { lines.append("  armor     \(sizes.armor)") }
        lines.append("  overhead  \(sizes.overhead)")
        lines.append("  payload   \(sizes.max_payload)")
        lines.append("  total     \(sizes.total)")
        if let identities {
            lines.append("Identities:")
            lines += identities.map { "  \($0.name): \($0.opens ? "opens it" : "does not open it")" }
        }
        return lines.map { indent + $0 + "\n" }.joined()
    }
}
