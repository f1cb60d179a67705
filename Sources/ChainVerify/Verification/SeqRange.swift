/// A half-open range of seqs, `lower ..< upper`, either end open; the part of a chain one connection reads.
public struct SeqRange: Sendable, Equatable, CustomStringConvertible {
    /// The lowest seq included, or `nil` for no lower bound.
    public var lower: Int64?
    /// The first seq not included, or `nil` for no upper bound.
    public var upper: Int64?

    /// The whole chain.
    public static let all = SeqRange(lower: nil, upper: nil)

    /// Creates a range.
    public init(lower: Int64?, upper: Int64?) {
        self.lower = lower
        self.upper = upper
    }

    /// Splits the seqs `first...last` into `parts` ranges of nearly equal width, the first open below and the
    /// last open above, so together they cover every row whatever its seq.
    public static func split(first: Int64, last: Int64, parts: Int) -> [SeqRange] {
        guard parts > 1, last > first else { return [.all] }
        let width = last - first + 1
        let n = Int64(min(Int64(parts), width))
        var bounds: [Int64] = []
        for i in 1..<n { bounds.append(first + width * i / n) }
        var ranges: [SeqRange] = []
        var lower: Int64? = nil
        for bound in bounds {
            ranges.append(SeqRange(lower: lower, upper: bound))
            lower = bound
        }
        ranges.append(SeqRange(lower: lower, upper: nil))
        return ranges
    }

    /// The SQL condition on the seq column (an already quoted identifier) for this range: integers only,
    /// nothing user-typed.
    func sqlCondition(column: String = "seq") -> String {
        switch (lower, upper) {
        case (nil, nil): return ""
        case (let l?, nil): return " AND \(column) >= \(l)"
        case (nil, let u?): return " AND \(column) < \(u)"
        case (let l?, let u?): return " AND \(column) >= \(l) AND \(column) < \(u)"
        }
    }

    public var description: String {
        "[\(lower.map(String.init) ?? "-inf"), \(upper.map(String.init) ?? "+inf"))"
    }
}
