import Foundation

/// Where chain-audit connects, and every secret that must never appear in its output.
///
/// The connection comes from `--db`, else `DATABASE_URL`, else libpq's `PG*` variables and defaults. A
/// value may be a libpq key/value string (`host=… dbname=…`), a `postgresql://` or `postgres://` URI, or an
/// Ecto URL (`ecto://user:pass@host/db`), which is rewritten to a `postgresql://` URI.
public struct ConnectionSpec: Sendable, CustomStringConvertible {
    /// Where the connection string came from.
    public enum Source: String, Sendable {
        /// The `--db` option.
        case option = "--db"
        /// The `DATABASE_URL` environment variable.
        case databaseURL = "DATABASE_URL"
        /// libpq's environment variables and defaults.
        case libpqEnvironment = "PG* environment"
    }

    /// Where the connection string came from.
    public let source: Source
    /// The string handed to libpq as an expanded `dbname`, or `nil` to use libpq's environment alone.
    let conninfo: String?
    /// Passwords (raw and percent-decoded) to scrub from every message.
    let secrets: [String]

    /// Picks the connection string from the option, then `DATABASE_URL`, then libpq's environment, and
    /// checks it with libpq's own parser.
    ///
    /// - Throws: `ConnectionSpecError` with a message from which every password has been removed.
    public init(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let raw: String?
        if let option {
            source = .option
            raw = option
        } else if let url = environment["DATABASE_URL"], !url.isEmpty {
            source = .databaseURL
            raw = url
        } else {
            source = .libpqEnvironment
            raw = nil
        }
        var secrets = raw.map(Self.passwords(in:)) ?? []
        // The whole string is a secret too when it holds a password (libpq may quote all of it).
        if let raw, !secrets.isEmpty { secrets.append(raw) }
        if let pgpassword = environment["PGPASSWORD"], !pgpassword.isEmpty { secrets.append(pgpassword) }
        self.secrets = Self.expandSecrets(secrets)
        guard let raw else {
            conninfo = nil
            return
        }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw ConnectionSpecError(message: "\(source.rawValue) is empty")
        }
        let translated = try Self.translateEcto(trimmed, source: source, secrets: self.secrets)
        if case .failure(let error) = LibPQ.parseConnectionInfo(translated), Self.looksLikeConnectionString(translated) {
            let reason = Self.redact(error.message, secrets: self.secrets)
            throw ConnectionSpecError(message: "invalid connection string in \(source.rawValue): \(reason)")
        }
        conninfo = translated
    }

    /// A description without any secret: where the connection string came from.
    public var description: String { "connection from \(source.rawValue)" }

    /// Removes every password this spec knows of from `message`, and folds it onto one line.
    public func redact(_ message: String) -> String {
        Self.redact(message, secrets: secrets)
    }

    static func redact(_ message: String, secrets: [String]) -> String {
        var out = message
        for secret in secrets where !secret.isEmpty {
            out = out.replacingOccurrences(of: secret, with: "********")
        }
        return out.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// Whether libpq would read the string as a connection string rather than a bare database name.
    static func looksLikeConnectionString(_ s: String) -> Bool {
        s.contains("=") || s.hasPrefix("postgresql://") || s.hasPrefix("postgres://")
    }

    /// Each secret, its percent-decoded form, and the longest first to keep replacements whole.
    static func expandSecrets(_ secrets: [String]) -> [String] {
        var all = Set<String>()
        for s in secrets where !s.isEmpty {
            all.insert(s)
            if let decoded = s.removingPercentEncoding, !decoded.isEmpty { all.insert(decoded) }
            if let encoded = s.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed), !encoded.isEmpty {
                all.insert(encoded)
            }
        }
        return all.sorted { $0.count > $1.count }
    }

    /// Finds every password in a key/value string or URI, leniently, even when the string is malformed.
    static func passwords(in raw: String) -> [String] {
        var found: [String] = []
        let lower = raw.lowercased()
        if let schemeEnd = lower.range(of: "://") {
            let rest = raw[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userinfo = authority[..<at]
                if let colon = userinfo.firstIndex(of: ":") {
                    found.append(String(userinfo[userinfo.index(after: colon)...]))
                }
            }
            if let query = rest.firstIndex(of: "?") {
                for pair in rest[rest.index(after: query)...].split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    if kv.count == 2, kv[0].lowercased() == "password" { found.append(String(kv[1])) }
                }
            }
        }
        found.append(contentsOf: keyValuePasswords(in: raw))
        return found.filter { !$0.isEmpty }
    }

    /// The values of every `password` keyword in a libpq key/value string (quoted or not).
    static func keyValuePasswords(in raw: String) -> [String] {
        let chars = Array(raw)
        var found: [String] = []
        var i = 0
        func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }
        while i < chars.count {
            skipSpace()
            let keyStart = i
            while i < chars.count, chars[i] != "=", !chars[i].isWhitespace { i += 1 }
            let key = String(chars[keyStart..<i]).lowercased()
            skipSpace()
            guard i < chars.count, chars[i] == "=" else { continue }
            i += 1
            skipSpace()
            var value = ""
            var rawValue = ""
            if i < chars.count, chars[i] == "'" {
                i += 1
                while i < chars.count, chars[i] != "'" {
                    if chars[i] == "\\", i + 1 < chars.count {
                        rawValue.append(chars[i])
                        i += 1
                    }
                    value.append(chars[i])
                    rawValue.append(chars[i])
                    i += 1
                }
                i += 1
            } else {
                while i < chars.count, !chars[i].isWhitespace {
                    if chars[i] == "\\", i + 1 < chars.count {
                        rawValue.append(chars[i])
                        i += 1
                    }
                    value.append(chars[i])
                    rawValue.append(chars[i])
                    i += 1
                }
            }
            if key == "password" || key.hasSuffix("password") {
                found.append(value)
                found.append(rawValue)
            }
        }
        return found
    }

    /// Rewrites an Ecto URL (`ecto://…`) to a libpq URI, translating or dropping Ecto-only query options.
    static func translateEcto(_ raw: String, source: Source, secrets: [String]) throws -> String {
        guard raw.lowercased().hasPrefix("ecto://") else { return raw }
        var uri = "postgresql://" + raw.dropFirst("ecto://".count)
        guard let q = uri.firstIndex(of: "?") else { return uri }
        let query = uri[uri.index(after: q)...]
        var kept: [String] = []
        for pair in query.split(separator: "&") {
            // `=x` or `=` has an empty key (found by Fuzz/run): keep the pair as it is, for libpq to reject.
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let key = kv[0].lowercased()
            let value = kv.count > 1 ? kv[1].lowercased() : ""
            switch key {
            case "ssl":
                kept.append(value == "true" ? "sslmode=require" : "sslmode=disable")
            case "pool_size", "queue_target", "queue_interval", "timeout", "pool", "prepare", "socket_dir",
                 "parameters", "migration_lock", "show_sensitive_data_on_connection_error":
                continue
            default:
                kept.append(String(pair))
            }
        }
        uri = String(uri[..<q])
        if !kept.isEmpty { uri += "?" + kept.joined(separator: "&") }
        return uri
    }
}

/// A connection string that libpq would reject; the message names the problem and holds no password.
public struct ConnectionSpecError: Error, CustomStringConvertible {
    /// The one-line message.
    public var message: String
    public var description: String { message }
}
