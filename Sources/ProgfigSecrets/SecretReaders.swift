import AgeFormat

/// The keys a collection's secrets are encrypted to, each with who holds it, so that a problem
/// with the set can name the nodes and keys involved.
struct SecretReaders {
    /// One key and its holder: `node "NAME"` or `the controller`.
    struct Reader {
        let holder: String
        let recipient: any Recipient
    }

    /// The readers, without duplicate keys, in the order added.
    private(set) var readers: [Reader] = []
    private var seen = Set<String>()

    mutating func add(node: String, _ recipient: any Recipient) { add(Reader(holder: "node \"\(node)\"", recipient: recipient)) }

    mutating func addController(_ recipient: any Recipient) { add(Reader(holder: "the controller", recipient: recipient)) }

    private mutating func add(_ reader: Reader) {
        if seen.insert(reader.recipient.encoded).inserted { readers.append(reader) }
    }

    var recipients: [any Recipient] { readers.map(\.recipient) }

    /// nil when the keys are all post-quantum or all classic; otherwise why `what` (say, `group
    /// "web"`) can't be encrypted to them, naming the classic keys, and what to do. age refuses to
    /// mix the kinds because the classic keys would leave the secret open to a quantum computer.
    func mixedKindsProblem(_ what: String) -> String? {
        let classic = readers.filter { !$0.recipient.isPostQuantum }
        guard !classic.isEmpty, classic.count < readers.count else { return nil }
        let named = classic.map { "\($0.holder) (\($0.recipient.encoded))" }.joined(separator: ", ")
        return "the readers of \(what) mix post-quantum and classic keys, which can't be mixed; classic: \(named). "
            + "Give them post-quantum keys (progfig keygen --pq), then run progfig secret rekey"
    }
}
