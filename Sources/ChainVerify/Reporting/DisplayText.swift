/// Text from the database or the user, made safe to print inside a one-line message.
public enum DisplayText {
    /// `text` in single quotes, with quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        "'" + escaped(text, quote: "'") + "'"
    }

    /// `text` with backslashes, control characters and `quote` (when given) escaped, on one line.
    public static func escaped(_ text: String, quote: Unicode.Scalar? = nil) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case _ where scalar == quote: out += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` with only control characters escaped: readable, and still one line.
    public static func controlsEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `n word` or `n words`.
    public static func plural(_ n: Int, _ word: String) -> String {
        "\(n) \(word)\(n == 1 ? "" : "s")"
    }
}
