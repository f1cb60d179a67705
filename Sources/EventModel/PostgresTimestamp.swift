/// A PostgreSQL `timestamptz` as it travels in binary: microseconds since 2000-01-01 00:00:00 UTC.
///
/// This is what `timestamptz_send` writes (8 bytes, big-endian) and what chain format v1 hashes, so the
/// value never depends on a session's TimeZone or DateStyle.
public struct PostgresTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 2000-01-01 00:00:00 UTC; `Int64.max` and `Int64.min` are `infinity` and `-infinity`.
    public var microsecondsSince2000: Int64

    /// Seconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 UTC).
    public static let postgresEpochUnixSeconds: Int64 = 946_684_800

    /// Creates a timestamp from its binary value.
    public init(microsecondsSince2000: Int64) {
        self.microsecondsSince2000 = microsecondsSince2000
    }

    /// Creates a timestamp from microseconds since the Unix epoch.
    public init(unixMicroseconds: Int64) {
        self.microsecondsSince2000 = unixMicroseconds - Self.postgresEpochUnixSeconds * 1_000_000
    }

    /// Creates a UTC timestamp from calendar fields (proleptic Gregorian, years 1…9999), or returns `nil`.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                 microsecond: Int = 0) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
              (0...999_999).contains(microsecond)
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let (y, m, d) = Self.civilFromDays(days)
        guard y == year, m == month, d == day else { return nil }
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.init(unixMicroseconds: seconds * 1_000_000 + Int64(microsecond))
    }

    /// ISO 8601 in UTC with microseconds, e.g. `2026-12-03T22:26:28.123456Z`.
    public var iso8601: String {
        if microsecondsSince2000 == .max { return "infinity" }
        if microsecondsSince2000 == .min { return "-infinity" }
        let unix = microsecondsSince2000 + Self.postgresEpochUnixSeconds * 1_000_000
        let (secs, micros) = unix.quotientAndRemainder(dividingBy: 1_000_000)
        var seconds = secs
        var frac = micros
        if frac < 0 {
            frac += 1_000_000
            seconds -= 1
        }
        var (days, daySeconds) = seconds.quotientAndRemainder(dividingBy: 86_400)
        if daySeconds < 0 {
            daySeconds += 86_400
            days -= 1
        }
        let (y, m, d) = Self.civilFromDays(Int(days))
        let hh = Int(daySeconds / 3600), mm = Int(daySeconds % 3600 / 60), ss = Int(daySeconds % 60)
        let year = y < 0 ? "-" + pad(-y, 4) : pad(y, 4)
        return "\(year)-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2)).\(pad(Int(frac), 6))Z"
    }

    public var description: String { iso8601 }

    public static func < (lhs: PostgresTimestamp, rhs: PostgresTimestamp) -> Bool {
        lhs.microsecondsSince2000 < rhs.microsecondsSince2000
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
