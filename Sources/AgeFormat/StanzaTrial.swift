import Dispatch
import SecureIO

/// Tries an identity against the stanzas of its type, in batches shared out across cores when
/// there are enough to share. Outcomes are taken in stanza order, as age does: the first stanza
/// that is malformed or ours decides, and stanzas after a match are not examined.
enum StanzaTrial {
    /// The result of trying one stanza.
    enum Outcome: Sendable {
        /// The stanza is someone else's.
        case notMine
        /// The stanza is of the identity's type but invalid: a header error.
        case malformed(AgeError)
        /// The stanza is ours: the unwrapped file key.
        case key(SecureBytes)
    }

    /// Stanzas are tried this many at a time, so a match early in a huge header stops the work.
    static let batchSize = 256

    /// Below this many stanzas a batch is tried in order on the calling thread.
    static let parallelThreshold = 8

    /// The file key from the first stanza of type `type` that `attempt` finds ours; nil when none
    /// is; throws the header error of a malformed stanza met before any match.
    static func firstMatch(in stanzas: [Stanza], type: String,
                           _ attempt: @Sendable (Stanza) -> Outcome) throws(AgeError) -> SecureBytes? {
        let candidates = stanzas.filter { $0.type == type }
        var start = 0
        while start < candidates.count {
            let end = min(start + batchSize, candidates.count)
            let batch = candidates[start..<end]
            if batch.count < parallelThreshold {
                for stanza in batch { if let key = try judge(attempt(stanza)) { return key } }
            } else {
                for outcome in inParallel(batch, attempt) { if let key = try judge(outcome) { return key } }
            }
            start = end
        }
        return nil
    }

    private static func judge(_ outcome: Outcome) throws(AgeError) -> SecureBytes? {
        switch outcome {
        case .key(let key): return key
        case .malformed(let error): throw error
        case .notMine: return nil
        }
    }

    /// Every stanza of `batch` attempted across cores; the outcomes in stanza order.
    private static func inParallel(_ batch: ArraySlice<Stanza>, _ attempt: @Sendable (Stanza) -> Outcome) -> [Outcome] {
        let items = Array(batch)
        let slots = Slots(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in slots.set(i, attempt(items[i])) }
        return slots.values
    }

    /// Per-index result slots written by concurrent workers, each index by exactly one worker.
    private final class Slots: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Outcome>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: .notMine)
        }
        deinit {
            slots.deinitialize()
            slots.deallocate()
        }
        func set(_ i: Int, _ value: Outcome) { slots[i] = value }
        var values: [Outcome] { Array(slots) }
    }
}
