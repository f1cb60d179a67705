/// The transaction every audit runs in: one snapshot, read only, with every setting the result depends on
/// pinned.
///
/// - `REPEATABLE READ READ ONLY`: the chain head and the events come from one snapshot, so concurrent
///   writers cause no false findings, and nothing can be written.
/// - `client_encoding UTF8`: COPY sends text in the client encoding; chain format v1 hashes UTF-8.
/// - `row_security off`: a row level security policy that would hide rows makes the query fail instead of
///   silently shortening the chain.
/// - `search_path pg_catalog, pg_temp`: every name the engine uses is schema-qualified, and no function or
///   operator planted in another schema can shadow a built-in.
/// - `TimeZone UTC`, `DateStyle ISO`, `IntervalStyle postgres`, `extra_float_digits 3`, `bytea_output hex`:
///   text renderings the engine reads back do not vary between servers.
/// - `jit off`: compiling the scan costs more than it saves for a streaming read.
/// - `lock_timeout 60s`: a migration holding an exclusive lock fails the run instead of hanging it.
public enum ReadOnlySession {
    /// The statements that open the transaction and pin its settings.
    public static let begin = begin(importing: nil)

    /// The same, importing a snapshot another connection exported (`pg_export_snapshot()`), so that several
    /// connections read one org from one snapshot.
    ///
    /// - Precondition: `snapshot` is a snapshot id as the server returns it (hex digits and dashes).
    static func begin(importing snapshot: String?) -> String {
        var sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n"
        if let snapshot {
            precondition(isSnapshotID(snapshot), "not a snapshot id")
            sql += "SET TRANSACTION SNAPSHOT '\(snapshot)';\n"
        }
        return sql + settings
    }

    /// Whether `text` has the shape of a snapshot id, e.g. `00000003-0000001B-1`.
    static func isSnapshotID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    private static let settings = """
        SET LOCAL client_encoding = 'UTF8';
        SET LOCAL row_security = off;
        SET LOCAL search_path = pg_catalog, pg_temp;
        SET LOCAL TimeZone = 'UTC';
        SET LOCAL DateStyle = 'ISO, YMD';
        SET LOCAL IntervalStyle = 'postgres';
        SET LOCAL extra_float_digits = 3;
        SET LOCAL bytea_output = 'hex';
        SET LOCAL jit = off;
        SET LOCAL lock_timeout = '60s';
        """

    /// Runs `body` inside a read-only transaction on `connection`, ending it afterwards.
    ///
    /// A failed transaction is rolled back; a connection broken on the way is closed.
    public static func run<R>(on connection: Connection, _ body: () throws -> R) throws -> R {
        try connection.execute(begin)
        do {
            let result = try body()
            try connection.execute("COMMIT")
            return result
        } catch {
            if connection.isOpen { _ = try? connection.execute("ROLLBACK") }
            throw error
        }
    }
}
