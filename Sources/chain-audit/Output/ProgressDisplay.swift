import ChainVerify
import Foundation
import Synchronization

/// Shows how far a run has got on stderr: a bar redrawn in place at most 4 times a second on a terminal,
/// plain lines every `--progress-interval` seconds (10 by default) otherwise, when asked for; nothing when quiet.
final class ProgressDisplay: Sendable {
    /// Where and how progress goes.
    enum Mode: Sendable, Equatable {
        /// A bar on a terminal, redrawn in place.
        case bar
        /// One plain line every `interval` seconds, for logs.
        case lines(interval: Double)
        /// Nothing.
        case off
    }

    /// Picks the mode: a bar when stderr is a terminal, lines when asked for without one, nothing with quiet.
    static func mode(requested: Bool, interval: Double, quiet: Bool,
                     stderrIsTerminal: Bool = isatty(STDERR_FILENO) == 1) -> Mode {
        if quiet { return .off }
        if stderrIsTerminal { return .bar }
        return requested ? .lines(interval: interval) : .off
    }

    let counter: ProgressCounter
    private let mode: Mode
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let start = DispatchTime.now()

    /// Starts drawing (unless the mode is `off`).
    init(counter: ProgressCounter, mode: Mode) {
        self.counter = counter
        self.mode = mode
        guard mode != .off else { return }
        let thread = Thread { [self] in
            var tick = 0.25
            if case .lines(let interval) = mode { tick = min(tick, interval) }
            var sinceLine = 0.0
            while !stopped.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: tick)
                if stopped.load(ordering: .acquiring) { break }
                switch mode {
                case .bar:
                    Console.err("\r\u{1b}[K" + line(bar: true))
                case .lines(let interval):
                    sinceLine += tick
                    if sinceLine >= interval - 1e-9 {
                        sinceLine = 0
                        Console.err("chain-audit: progress: " + line(bar: false) + "\n")
                    }
                case .off:
                    break
                }
            }
            finished.signal()
        }
        thread.start()
    }

    /// Stops drawing and clears the bar, before the report is printed.
    func stop() {
        guard mode != .off, !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
        if mode == .bar { Console.err("\r\u{1b}[K") }
    }

    /// The progress text: events done out of the expected total, rate, ETA.
    func line(bar: Bool) -> String {
        Self.format(done: counter.completed, total: counter.total,
                    elapsed: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9, bar: bar)
    }

    /// Formats one progress line (pure, for tests).
    static func format(done: Int64, total: Int64, elapsed: Double, bar: Bool) -> String {
        let total = max(total, done)
        let fraction = total > 0 ? Double(done) / Double(total) : 0
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = ""
        if bar {
            let width = 24
            let filled = min(width, Int(fraction * Double(width)))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
        }
        text += "\(grouped(done))/\(grouped(total)) events (\(String(format: "%.1f", fraction * 100))%), "
        text += "\(grouped(Int64(rate))) events/s"
        if rate > 0 && total > done {
            text += ", ETA \(duration(Double(total - done) / rate))"
        }
        return text
    }

    static func grouped(_ n: Int64) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
