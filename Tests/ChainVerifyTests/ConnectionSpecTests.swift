import ChainVerify
import Foundation
import Testing

@Suite("Connection strings and redaction")
struct ConnectionSpecTests {
    static let secret = "Hunter2-s3cr3t"

    @Test func theOptionWinsOverDatabaseURL() throws {
        let spec = try ConnectionSpec(option: "host=/tmp dbname=a", environment: ["DATABASE_URL": "postgresql://h/b"])
        #expect(spec.source == .option)
        let fromEnv = try ConnectionSpec(option: nil, environment: ["DATABASE_URL": "postgresql://h/b"])
        #expect(fromEnv.source == .databaseURL)
        let fromLibpq = try ConnectionSpec(option: nil, environment: [:])
        #expect(fromLibpq.source == .libpqEnvironment)
    }

    @Test(arguments: [
        "postgresql://user:\(secret)@[::1/db",
        "postgresql://user:\(secret)%zz@localhost/db",
        "postgres://user:\(secret)@localhost/db?nonsense_option=1",
        "host=localhost password=\(secret) dangling",
        "host=localhost password='\(secret)",
        "ecto://user:\(secret)@[::1/db?pool_size=2",
    ])
    func malformedConnectionStringsAreRejectedWithoutThePassword(_ dsn: String) {
        do {
            _ = try ConnectionSpec(option: dsn, environment: [:])
            Issue.record("accepted a malformed connection string")
        } catch {
            let message = String(describing: error)
            #expect(!message.contains(Self.secret), "leaked: \(message)")
            #expect(!message.contains("s3cr3t"))
            #expect(message.hasPrefix("invalid connection string in --db"), "\(message)")
            #expect(!message.contains("\n"))
        }
    }

    @Test func percentEncodedPasswordsAreRedactedInBothForms() throws {
        let spec = try ConnectionSpec(option: "postgresql://u:p%40ss%2Fword@localhost/db", environment: [:])
        #expect(spec.redact("a p@ss/word b p%40ss%2Fword c") == "a ******** b ******** c")
    }

    @Test func pgpasswordIsRedactedToo() throws {
        let spec = try ConnectionSpec(option: "host=localhost", environment: ["PGPASSWORD": Self.secret])
        #expect(spec.redact("x \(Self.secret) y") == "x ******** y")
    }

    @Test func aBareDatabaseNameIsAccepted() throws {
        let spec = try ConnectionSpec(option: "postgres", environment: [:])
        // Without a password, nothing is redacted: the database name may appear in messages.
        #expect(spec.redact("database \"postgres\" does not exist") == "database \"postgres\" does not exist")
    }

    @Test func redactionFoldsMessagesOntoOneLine() throws {
        let spec = try ConnectionSpec(option: "host=localhost", environment: [:])
        #expect(spec.redact("connection failed\n\tIs the server running?\n") == "connection failed Is the server running?")
    }

    @Test func emptyConnectionStringsAreRejected() {
        #expect(throws: ConnectionSpecError.self) { try ConnectionSpec(option: "  ", environment: [:]) }
    }

    @Test(arguments: ["ecto://u:pw@h/db?=", "ecto://u:pw@h/db?=x&ssl", "ecto://u:pw@h/db?&&", "ecto://u:pw@h/db?ssl="])
    func ectoQueriesWithEmptyKeysOrValuesAreRejectedOrAcceptedButNeverCrash(_ url: String) {
        // The first was found by the connection-string fuzzer (Fuzz/run): it used to crash.
        _ = try? ConnectionSpec(option: url, environment: [:])
    }

    @Test func ectoURLsBecomeLibpqURIs() throws {
        // Ecto's own options are dropped or translated, so libpq accepts the URL.
        _ = try ConnectionSpec(option: "ecto://u:pw@localhost:5432/finnest?pool_size=10&ssl=true", environment: [:])
        _ = try ConnectionSpec(option: nil, environment: ["DATABASE_URL": "ecto://u:pw@localhost/finnest"])
    }
}
