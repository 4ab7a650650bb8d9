import Dispatch

/// Tries an identity against a batch of stanzas, across cores when the batch is large enough to
/// share out. Outcomes come back in stanza order so the caller can decide as age does: the first
/// stanza that is malformed or matches wins, whatever was computed after it.
enum StanzaTrial {
    /// The result of trying one stanza.
    enum Outcome: Sendable {
        /// The stanza is someone else's.
        case notMine
        /// The stanza is of the identity's type but invalid; the message says how.
        case malformed(String)
        /// The stanza is ours: the unwrapped file key.
        case key(SecureBytes)
    }

    /// Stanzas are tried this many at a time, so a match early in a huge header stops the work.
    static let batchSize = 256

    /// Below this many stanzas the batch is tried in order on the calling thread, stopping at the
    /// first outcome that decides.
    static let parallelThreshold = 8

    /// The outcomes of `attempt` over `batch`, in order; sequential batches stop at the first
    /// outcome that is not `.notMine`.
    static func run(_ batch: ArraySlice<Stanza>, _ attempt: @Sendable (Stanza) -> Outcome) -> [Outcome] {
        if batch.count < parallelThreshold {
            var outcomes: [Outcome] = []
            for stanza in batch {
                let outcome = attempt(stanza)
                outcomes.append(outcome)
                if case .notMine = outcome { continue }
                break
            }
            return outcomes
        }
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
