/// A length of time given on the command line: `90s`, `30m`, `24h`, `7d`, or a number of seconds.
public struct TimeSpan: Sendable, Equatable, CustomStringConvertible {
    /// The length in seconds.
    public var seconds: Double

    /// Creates a span of `seconds`.
    public init(seconds: Double) {
        self.seconds = seconds
    }

    /// Parses `N`, `Ns`, `Nm`, `Nh` or `Nd` with a whole number N >= 0, or returns `nil`.
    public init?(parsing text: String) {
        var digits = Substring(text)
        var unit: Double = 1
        if let last = text.last, !last.isNumber {
            switch last {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default: return nil
            }
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits),
            n <= 100 * 365 * 86_400
        else { return nil }
        seconds = Double(n) * unit
    }

    /// The span in the largest whole unit: `24h`, `30m`, `90s`.
    public var description: String {
        let whole = Int(seconds.rounded())
        if whole > 0, whole % 86_400 == 0 { return "\(whole / 86_400)d" }
        if whole > 0, whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole > 0, whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }
}
