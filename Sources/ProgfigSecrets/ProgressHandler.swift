import Foundation

/// Told how far a long operation (rekey, validate) has got: units finished so far, out of
/// `total`. Called from worker threads, possibly out of order; the command draws it.
public typealias ProgressHandler = @Sendable (_ done: Int, _ total: Int) -> Void

/// Counts units finished on any thread and tells the handler after each.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let handler: ProgressHandler?

    init(total: Int, handler: ProgressHandler?) {
        self.total = total
        self.handler = handler
        handler?(0, total)
    }

    /// Records one finished unit.
    func tick() {
        guard let handler else { return }
        lock.lock()
        done += 1
        let now = done
        lock.unlock()
        handler(now, total)
    }
}
