/// XML 1.0 escaping for text and attribute values.
enum XMLText {
    /// `text` escaped for element content or a double-quoted attribute: `& < > " '` as entities, line breaks
    /// and tabs as character references in attributes, and characters XML 1.0 cannot hold at all (other
    /// control characters, U+FFFE, U+FFFF) as a visible `\u{…}`.
    static func escape(_ text: String, attribute: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            case "\t": out += attribute ? "&#9;" : "\t"
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
