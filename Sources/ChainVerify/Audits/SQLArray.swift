import Foundation

/// PostgreSQL array literals for text parameters (`$1::uuid[]`, `$1::text[]`): every element double-quoted
/// with `"` and `\` escaped, so no element can end the array or the element.
enum SQLArray {
    /// The array literal for `elements`, e.g. `{"a","b\"c"}`.
    static func literal<S: Sequence>(_ elements: S) -> String where S.Element == String {
        "{"
            + elements.map { element in
                "\"" + element.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }.joined(separator: ",") + "}"
    }
}
