import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), as node_exporter's textfile collector
/// reads it, written for the tests independently of the code under test.
///
/// It rejects what the collector would reject or misread: a sample before its family's `# TYPE`, a family's
/// `# HELP` or `# TYPE` given twice or after its samples, a family split across the file, bad metric or
/// label names, unescaped or unknown escapes in label values, duplicate labels or series, a value that is
/// not a float, a missing final newline. Sample timestamps are an error too: chain-audit must write none.
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    var samples: [Sample] = []
    var help: [String: String] = [:]
    var types: [String: String] = [:]

    /// The samples of one metric.
    func samples(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// The value of the one sample of `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        let matching = samples(name).filter { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.count == 1 ? matching[0].value : nil
    }

    init(parsing text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw ParseError(line: 0, message: "no final newline") }
        var seenSeries = Set<String>()
        var finished = Set<String>()
        var current: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let n = index + 1
            let line = String(raw)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#", ["HELP", "TYPE"].contains(parts[1]) else { continue }
                let name = parts[2]
                guard Self.isMetricName(name) else { throw ParseError(line: n, message: "bad metric name \(name)") }
                if finished.contains(name) || (current != name && samples.contains { $0.name == name }) {
                    throw ParseError(line: n, message: "\(parts[1]) for \(name) after its samples")
                }
                if current != name, let c = current { finished.insert(c) }
                current = name
                if parts[1] == "HELP" {
                    guard help[name] == nil else { throw ParseError(line: n, message: "second HELP for \(name)") }
                    help[name] = parts.count > 3 ? parts[3] : ""
                } else {
                    guard types[name] == nil else { throw ParseError(line: n, message: "second TYPE for \(name)") }
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                    else {
                        throw ParseError(line: n, message: "bad TYPE line")
                    }
                    types[name] = parts[3]
                }
                continue
            }
            var rest = Substring(line)
            let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
            let name = String(rest[..<nameEnd])
            guard Self.isMetricName(name) else { throw ParseError(line: n, message: "bad metric name \(name)") }
            guard types[name] != nil else { throw ParseError(line: n, message: "sample of \(name) before its TYPE") }
            guard current == name, !finished.contains(name) else {
                throw ParseError(line: n, message: "samples of \(name) are not together")
            }
            rest = rest[nameEnd...]
            var labels: [String: String] = [:]
            if rest.first == "{" {
                rest = rest.dropFirst()
                while rest.first != "}" {
                    guard let eq = rest.firstIndex(of: "=") else { throw ParseError(line: n, message: "bad labels") }
                    let label = String(rest[..<eq])
                    guard Self.isLabelName(label), labels[label] == nil else {
                        throw ParseError(line: n, message: "bad or repeated label \(label)")
                    }
                    rest = rest[rest.index(after: eq)...]
                    guard rest.first == "\"" else { throw ParseError(line: n, message: "unquoted label value") }
                    rest = rest.dropFirst()
                    var value = ""
                    while true {
                        guard let c = rest.first else { throw ParseError(line: n, message: "unterminated label value") }
                        rest = rest.dropFirst()
                        if c == "\"" { break }
                        if c == "\\" {
                            guard let e = rest.first else { throw ParseError(line: n, message: "dangling escape") }
                            rest = rest.dropFirst()
                            switch e {
                            case "\\": value.append("\\")
                            case "\"": value.append("\"")
                            case "n": value.append("\n")
                            default: throw ParseError(line: n, message: "unknown escape \\\(e)")
                            }
                        } else {
                            value.append(c)
                        }
                    }
                    labels[label] = value
                    if rest.first == "," {
                        rest = rest.dropFirst()
                    } else if rest.first != "}" {
                        throw ParseError(line: n, message: "expected , or } after a label")
                    }
                }
                rest = rest.dropFirst()
            }
            guard rest.first == " " else { throw ParseError(line: n, message: "no space before the value") }
            let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 1 else { throw ParseError(line: n, message: "a timestamp or junk after the value") }
            let text = String(fields[0])
            let value: Double
            switch text {
            case "NaN": value = .nan
            case "+Inf": value = .infinity
            case "-Inf": value = -.infinity
            default:
                guard let v = Double(text), text.allSatisfy({ "0123456789.eE+-".contains($0) }) else {
                    throw ParseError(line: n, message: "bad value \(text)")
                }
                value = v
            }
            let key =
                name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                + "}"
            guard seenSeries.insert(key).inserted else { throw ParseError(line: n, message: "duplicate series \(key)") }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    static func isMetricName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        let ok = s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == ":"
        }
        return ok && !("0"..."9").contains(first)
    }

    static func isLabelName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        let ok = s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        return ok && !("0"..."9").contains(first) && !s.hasPrefix("__")
    }
}
