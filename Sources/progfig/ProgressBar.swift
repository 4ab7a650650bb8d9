import Foundation
import ProgfigSecrets

/// A progress line on standard error for work that can take a while: a bar with the count (or
/// bytes) done, the rate and the time left. Shown only when standard error is a terminal and
/// neither -q nor --no-progress was given, so pipes, logs and CI never see it; redrawn at most ten
/// times a second and erased when the work ends. Safe to update from several threads.
final class ProgressBar: @unchecked Sendable {
    /// What is counted.
    enum Unit {
        /// Items, named in the plural ("files", "collections").
        case items(String)
        /// Bytes, shown in MiB.
        case bytes
    }

    private let label: String
    private let unit: Unit
    private let started = ProgressBar.now()
    private let lock = NSLock()
    private var total: Int?
    private var done = 0
    private var lastDraw = -Double.infinity
    private var drawn = false

    private init(label: String, unit: Unit, total: Int?) {
        self.label = label
        self.unit = unit
        self.total = total
    }

    /// A bar for `label`, or nil when none may be shown (`hidden`, or standard error is not a terminal).
    static func start(_ label: String, unit: Unit, total: Int? = nil, hidden: Bool) -> ProgressBar? {
        guard !hidden, isatty(STDERR_FILENO) == 1 else { return nil }
        let bar = ProgressBar(label: label, unit: unit, total: total)
        bar.update(done: 0, total: total)
        return bar
    }

    /// Records that `count` more units are done.
    func advance(by count: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        drawIfDue()
    }

    /// Records `done` units out of `total` (reports from several threads may arrive out of order).
    func update(done: Int, total: Int?) {
        lock.lock()
        defer { lock.unlock() }
        self.done = max(self.done, done)
        if let total { self.total = total }
        drawIfDue()
    }

    /// A handler for the library's long operations, drawing into this bar.
    var handler: ProgressHandler { { [self] done, total in update(done: done, total: total) } }

    /// Erases the bar.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { Output.standardError("\r\u{1B}[K") }
        drawn = false
    }

    private func drawIfDue() {
        let now = Self.now()
        guard now - lastDraw >= 0.1 || (total != nil && done >= total!) else { return }
        lastDraw = now
        drawn = true
        Output.standardError("\r" + line(elapsed: now - started) + "\u{1B}[K")
    }

    /// `LABEL [#####-----] DONE/TOTAL UNIT  RATE  TIME left`.
    func line(elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var parts = [label]
        if let total, total > 0 {
            let width = 24
            let filled = min(width, done * width / total)
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]")
        }
        switch unit {
        case .items(let name):
            parts.append((total.map { "\(done)/\($0)" } ?? "\(done)") + " \(name)")
            parts.append(String(format: "%.0f %@/s", rate, name))
        case .bytes:
            let mib = { (n: Int) in String(format: "%.1f", Double(n) / 1_048_576) }
            parts.append((total.map { "\(mib(done))/\(mib($0))" } ?? mib(done)) + " MiB")
            parts.append(String(format: "%.1f MiB/s", rate / 1_048_576))
        }
        if let total, rate > 0, done > 0 {
            let left = Int((Double(total - done) / rate).rounded(.up))
            parts.append(String(format: "%d:%02d left", left / 60, left % 60))
        }
        return parts.joined(separator: "  ")
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
