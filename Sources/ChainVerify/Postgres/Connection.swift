/// One libpq connection to the audited database, used by one thread at a time.
///
/// chain-audit only ever reads: every transaction the engine opens is `READ ONLY` (see `ReadOnlySession`).
/// A connection whose COPY was abandoned or failed is closed rather than reused.
public final class Connection {
    private var handle: OpaquePointer?
    private var canceller: CancelRegistry.Canceller?
    /// The spec this connection came from, which also redacts messages.
    public let spec: ConnectionSpec

    /// Connects, forcing `client_encoding` to UTF8 whatever the connection string says.
    ///
    /// - Throws: `PostgresError` of kind `.connection`, with libpq's message stripped of passwords.
    public init(_ spec: ConnectionSpec, applicationName: String = "chain-audit", connectTimeout: Int = 10) throws {
        self.spec = spec
        var keywords = ["connect_timeout", "fallback_application_name"]
        var values = [String(connectTimeout), applicationName]
        if let conninfo = spec.conninfo {
            keywords.append("dbname")
            values.append(conninfo)
        }
        keywords.append("client_encoding")
        values.append("UTF8")
        guard let conn = LibPQ.connect(keywords: keywords, values: values) else {
            throw PostgresError(kind: .connection, message: "cannot connect: libpq is out of memory")
        }
        guard LibPQ.isConnected(conn) else {
            let message = spec.redact(LibPQ.errorMessage(conn))
            LibPQ.finish(conn)
            throw PostgresError(kind: .connection, message: "cannot connect to the database: \(message)")
        }
        LibPQ.silenceNotices(conn)
        handle = conn
    }

    deinit {
        if let canceller { CancelRegistry.unregister(canceller) }
        if let handle { LibPQ.finish(handle) }
    }

    /// Closes the connection; later calls fail.
    public func close() {
        if let canceller { CancelRegistry.unregister(canceller) }
        canceller = nil
        if let handle { LibPQ.finish(handle) }
        handle = nil
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { handle != nil }

    private func live() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(kind: .protocolViolation, message: "the database connection is closed")
        }
        return handle
    }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int { handle.map(LibPQ.serverVersion) ?? 0 }

    /// The pid of the server process serving this connection.
    public var backendPID: Int32 { handle.map(LibPQ.backendPID) ?? 0 }

    /// A parameter the server reported at start-up or on change, such as `server_encoding`.
    public func parameter(_ name: String) -> String? {
        handle.flatMap { LibPQ.parameterStatus($0, name) }
    }

    /// The user, database, host and port in use, without any password.
    public var target: (user: String, database: String, host: String, port: String) {
        handle.map(LibPQ.target) ?? ("", "", "", "")
    }

    /// Runs SQL in the simple query protocol (several statements allowed) and returns the last result.
    @discardableResult
    public func execute(_ sql: String) throws -> QueryResult {
        let conn = try live()
        return try check(LibPQ.exec(conn, sql), conn: conn)
    }

    /// Runs one statement with text parameters (`$1`, `$2`, …); nothing is spliced into the SQL.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?]) throws -> QueryResult {
        let conn = try live()
        return try check(LibPQ.execParams(conn, sql, parameters), conn: conn)
    }

    /// Starts a `COPY … TO STDOUT` and returns the stream of its data. While it runs, `CancelRegistry` can
    /// cancel it from another thread.
    public func copyOut(_ sql: String) throws -> CopyOutStream {
        let conn = try live()
        if canceller == nil, let made = CancelRegistry.Canceller(conn) {
            canceller = made
            CancelRegistry.register(made)
        }
        guard let result = LibPQ.exec(conn, sql) else { throw lostConnection(conn) }
        defer { LibPQ.clear(result) }
        switch LibPQ.status(result) {
        case .copyOut:
            return CopyOutStream(connection: self)
        case .fatalError, .nonfatalError, .badResponse:
            throw serverError(result, conn: conn)
        default:
            throw PostgresError(kind: .protocolViolation, message: "COPY did not start a COPY OUT stream")
        }
    }

    // MARK: - COPY internals used by CopyOutStream

    func nextCopyData() throws -> LibPQ.CopyData {
        LibPQ.copyData(try live())
    }

    func nextCopyDataNoWait() throws -> LibPQ.AsyncCopyData {
        LibPQ.copyDataNoWait(try live())
    }

    func consumeInput() throws -> Bool {
        LibPQ.consumeInput(try live())
    }

    var socket: Int32 { handle.map(LibPQ.socket) ?? -1 }

    /// Collects the result that ends a COPY: returns the row count of its `COPY n` tag.
    func finishCopy() throws -> Int64 {
        let conn = try live()
        var rows: Int64?
        var failure: PostgresError?
        while let result = LibPQ.nextResult(conn) {
            defer { LibPQ.clear(result) }
            switch LibPQ.status(result) {
            case .commandOK:
                rows = LibPQ.commandTuples(result)
            default:
                failure = failure ?? serverError(result, conn: conn)
            }
        }
        if let failure { throw failure }
        guard let rows else {
            throw PostgresError(kind: .protocolViolation, message: "COPY ended without a command tag")
        }
        return rows
    }

    func copyFailure() -> PostgresError {
        guard let handle else {
            return PostgresError(kind: .protocolViolation, message: "the database connection is closed")
        }
        // The error, if the server sent one, is in the result that follows.
        if let result = LibPQ.nextResult(handle) {
            defer { LibPQ.clear(result) }
            if LibPQ.status(result) == .fatalError { return serverError(result, conn: handle) }
        }
        return lostConnection(handle)
    }

    // MARK: - Errors

    private func check(_ result: OpaquePointer?, conn: OpaquePointer) throws -> QueryResult {
        guard let result else { throw lostConnection(conn) }
        switch LibPQ.status(result) {
        case .commandOK, .tuplesOK, .emptyQuery:
            return QueryResult(handle: result)
        case .copyOut, .copyIn:
            LibPQ.clear(result)
            close()
            throw PostgresError(kind: .protocolViolation, message: "unexpected COPY in a plain statement")
        default:
            let error = serverError(result, conn: conn)
            LibPQ.clear(result)
            throw error
        }
    }

    private func serverError(_ result: OpaquePointer, conn: OpaquePointer) -> PostgresError {
        let state = LibPQ.resultErrorField(result, "C")
        let primary = LibPQ.resultErrorField(result, "M") ?? LibPQ.resultErrorMessage(result)
        let message = primary.isEmpty ? LibPQ.errorMessage(conn) : primary
        let kind: PostgresError.Kind = state == nil ? .protocolViolation : .server
        var text = spec.redact(message)
        if text.isEmpty { text = "the server reported an error without a message" }
        return PostgresError(kind: kind, sqlState: state, message: text)
    }

    private func lostConnection(_ conn: OpaquePointer) -> PostgresError {
        var message = spec.redact(LibPQ.errorMessage(conn))
        if message.isEmpty { message = "the connection to the server was lost" }
        return PostgresError(kind: .protocolViolation, message: message)
    }
}
