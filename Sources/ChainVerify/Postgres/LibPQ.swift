import Foundation
internal import CLibPQ

/// Every libpq call chain-audit makes, in one place (as swift-system keeps its syscalls in one file).
///
/// The rest of the engine talks to `Connection`, `QueryResult` and `CopyOutStream`; none of it touches a
/// libpq symbol directly. Handles are `OpaquePointer`s owned by those types.
enum LibPQ {
    /// The outcome of a command, from `PQresultStatus`.
    enum ResultStatus: Sendable, Equatable {
        case emptyQuery, commandOK, tuplesOK, copyOut, copyIn, badResponse, nonfatalError, fatalError, other
    }

    /// libpq's own version number, e.g. 150018.
    static var libraryVersion: Int { Int(PQlibVersion()) }

    /// Connects with keyword/value arrays (`PQconnectdbParams`, `expand_dbname` on); returns the handle even
    /// on failure, or `nil` when libpq could not allocate one.
    static func connect(keywords: [String], values: [String]) -> OpaquePointer? {
        precondition(keywords.count == values.count)
        let k = keywords.map { strdup($0) }
        let v = values.map { strdup($0) }
        defer {
            k.forEach { free($0) }
            v.forEach { free($0) }
        }
        var kp: [UnsafePointer<CChar>?] = k.map { UnsafePointer($0) } + [nil]
        var vp: [UnsafePointer<CChar>?] = v.map { UnsafePointer($0) } + [nil]
        return kp.withUnsafeMutableBufferPointer { kb in
            vp.withUnsafeMutableBufferPointer { vb in
                PQconnectdbParams(kb.baseAddress, vb.baseAddress, 1)
            }
        }
    }

    /// Stops libpq printing server notices and warnings on stderr; chain-audit reports what matters itself.
    static func silenceNotices(_ conn: OpaquePointer) {
        _ = PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    /// Whether the connection is established (`CONNECTION_OK`).
    static func isConnected(_ conn: OpaquePointer) -> Bool {
        PQstatus(conn) == CONNECTION_OK
    }

    /// The connection's most recent error message (`PQerrorMessage`).
    static func errorMessage(_ conn: OpaquePointer) -> String {
        guard let p = PQerrorMessage(conn) else { return "" }
        return String(cString: p)
    }

    /// Closes the connection and frees the handle.
    static func finish(_ conn: OpaquePointer) {
        PQfinish(conn)
    }

    /// The server's version number, e.g. 150018.
    static func serverVersion(_ conn: OpaquePointer) -> Int {
        Int(PQserverVersion(conn))
    }

    /// The pid of the server process serving this connection.
    static func backendPID(_ conn: OpaquePointer) -> Int32 {
        PQbackendPID(conn)
    }

    /// A run-time parameter the server reported (`PQparameterStatus`), such as `server_encoding`.
    static func parameterStatus(_ conn: OpaquePointer, _ name: String) -> String? {
        guard let p = PQparameterStatus(conn, name) else { return nil }
        return String(cString: p)
    }

    /// The connection's user, database, host and port, as libpq resolved them.
    static func target(_ conn: OpaquePointer) -> (user: String, database: String, host: String, port: String) {
        func s(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        return (s(PQuser(conn)), s(PQdb(conn)), s(PQhost(conn)), s(PQport(conn)))
    }

    /// Runs one or more SQL statements in the simple query protocol (`PQexec`).
    static func exec(_ conn: OpaquePointer, _ sql: String) -> OpaquePointer? {
        PQexec(conn, sql)
    }

    /// Runs one statement with text parameters and text results (`PQexecParams`).
    static func execParams(_ conn: OpaquePointer, _ sql: String, _ params: [String?]) -> OpaquePointer? {
        let copies: [UnsafeMutablePointer<CChar>?] = params.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeMutableBufferPointer { pb in
            PQexecParams(conn, sql, Int32(params.count), nil, pb.baseAddress, nil, nil, 0)
        }
    }

    /// The next result of a command in progress, or `nil` when it is complete (`PQgetResult`).
    static func nextResult(_ conn: OpaquePointer) -> OpaquePointer? {
        PQgetResult(conn)
    }

    /// Frees a result.
    static func clear(_ result: OpaquePointer) {
        PQclear(result)
    }

    /// A result's status.
    static func status(_ result: OpaquePointer) -> ResultStatus {
        switch PQresultStatus(result) {
        case PGRES_EMPTY_QUERY: return .emptyQuery
        case PGRES_COMMAND_OK: return .commandOK
        case PGRES_TUPLES_OK: return .tuplesOK
        case PGRES_COPY_OUT: return .copyOut
        case PGRES_COPY_IN: return .copyIn
        case PGRES_BAD_RESPONSE: return .badResponse
        case PGRES_NONFATAL_ERROR: return .nonfatalError
        case PGRES_FATAL_ERROR: return .fatalError
        default: return .other
        }
    }

    /// A result's error message, or the empty string.
    static func resultErrorMessage(_ result: OpaquePointer) -> String {
        guard let p = PQresultErrorMessage(result) else { return "" }
        return String(cString: p)
    }

    /// One field of a result's error report (`PQresultErrorField`), by its one-letter code.
    static func resultErrorField(_ result: OpaquePointer, _ code: Character) -> String? {
        guard let ascii = code.asciiValue, let p = PQresultErrorField(result, Int32(ascii)) else { return nil }
        return String(cString: p)
    }

    /// The number of rows in a result.
    static func rowCount(_ result: OpaquePointer) -> Int { Int(PQntuples(result)) }

    /// The number of columns in a result.
    static func columnCount(_ result: OpaquePointer) -> Int { Int(PQnfields(result)) }

    /// A value in text format, or `nil` for NULL.
    static func value(_ result: OpaquePointer, _ row: Int, _ column: Int) -> String? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        guard let p = PQgetvalue(result, Int32(row), Int32(column)) else { return nil }
        return String(cString: p)
    }

    /// A value's raw bytes, or `nil` for NULL.
    static func bytes(_ result: OpaquePointer, _ row: Int, _ column: Int) -> UnsafeRawBufferPointer? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        guard let p = PQgetvalue(result, Int32(row), Int32(column)) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(PQgetlength(result, Int32(row), Int32(column))))
    }

    /// The row count of the command tag (`PQcmdTuples`), e.g. 42 for `COPY 42`, or `nil`.
    static func commandTuples(_ result: OpaquePointer) -> Int64? {
        guard let p = PQcmdTuples(result) else { return nil }
        return Int64(String(cString: p))
    }

    /// The command tag, e.g. `COPY 42`.
    static func commandStatus(_ result: OpaquePointer) -> String {
        guard let p = PQcmdStatus(result) else { return "" }
        return String(cString: p)
    }

    /// Outcome of one `PQgetCopyData` call.
    enum CopyData {
        /// A CopyData message: `length` bytes at `buffer`, to be released with `freeCopyBuffer`.
        case data(UnsafeMutableRawPointer, Int)
        /// The copy is complete; collect its result with `nextResult`.
        case done
        /// The copy failed; `errorMessage` says why.
        case failed

        /// The same outcome in the non-blocking call's terms.
        var waited: AsyncCopyData {
            switch self {
            case .data(let buffer, let count): return .data(buffer, count)
            case .done: return .done
            case .failed: return .failed
            }
        }
    }

    /// Waits for the next CopyData message of a COPY TO STDOUT.
    static func copyData(_ conn: OpaquePointer) -> CopyData {
        var buffer: UnsafeMutablePointer<CChar>? = nil
        let n = PQgetCopyData(conn, &buffer, 0)
        if n > 0, let buffer { return .data(UnsafeMutableRawPointer(buffer), Int(n)) }
        if n == -1 { return .done }
        return .failed
    }

    /// Outcome of one non-blocking `PQgetCopyData` call (a blocking call's outcome is one of these too,
    /// never `wouldBlock`).
    enum AsyncCopyData {
        /// A CopyData message, as with `copyData`.
        case data(UnsafeMutableRawPointer, Int)
        /// No whole message is buffered yet; read more input first.
        case wouldBlock
        /// The copy is complete.
        case done
        /// The copy failed.
        case failed
    }

    /// Takes the next CopyData message if libpq has a whole one buffered, without waiting.
    static func copyDataNoWait(_ conn: OpaquePointer) -> AsyncCopyData {
        var buffer: UnsafeMutablePointer<CChar>? = nil
        let n = PQgetCopyData(conn, &buffer, 1)
        if n > 0, let buffer { return .data(UnsafeMutableRawPointer(buffer), Int(n)) }
        if n == 0 { return .wouldBlock }
        if n == -1 { return .done }
        return .failed
    }

    /// Reads whatever input the socket holds into libpq's buffer (`PQconsumeInput`); false on failure.
    static func consumeInput(_ conn: OpaquePointer) -> Bool {
        PQconsumeInput(conn) == 1
    }

    /// The connection's socket descriptor.
    static func socket(_ conn: OpaquePointer) -> Int32 {
        PQsocket(conn)
    }

    /// Releases a buffer libpq allocated.
    static func freeCopyBuffer(_ buffer: UnsafeMutableRawPointer) {
        PQfreemem(buffer)
    }

    /// Makes the object that cancels this connection's command from another thread (`PQgetCancel`).
    static func makeCanceller(_ conn: OpaquePointer) -> OpaquePointer? {
        PQgetCancel(conn)
    }

    /// Sends a cancel request with a canceller; safe from any thread (`PQcancel`).
    @discardableResult
    static func cancel(with canceller: OpaquePointer) -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(canceller, &buffer, Int32(buffer.count)) == 1
    }

    /// Frees a canceller.
    static func freeCanceller(_ canceller: OpaquePointer) {
        PQfreeCancel(canceller)
    }

    /// Parses a connection string (key/value or URI) the way libpq will; returns its keywords and values,
    /// or libpq's error message.
    static func parseConnectionInfo(_ conninfo: String) -> Result<[(String, String)], ConnectionInfoError> {
        var errmsg: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(conninfo, &errmsg) else {
            let message = errmsg.map { String(cString: $0) } ?? "out of memory"
            if let errmsg { PQfreemem(errmsg) }
            return .failure(ConnectionInfoError(message: message))
        }
        defer { PQconninfoFree(options) }
        var pairs: [(String, String)] = []
        var p = options
        while let keyword = p.pointee.keyword {
            if let val = p.pointee.val { pairs.append((String(cString: keyword), String(cString: val))) }
            p += 1
        }
        return .success(pairs)
    }

    /// libpq's reason for rejecting a connection string (may quote the string: redact before showing).
    struct ConnectionInfoError: Error {
        var message: String
    }
}
