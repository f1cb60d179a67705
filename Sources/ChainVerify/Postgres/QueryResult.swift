/// The rows of one completed statement, in text format; owns its libpq result.
public final class QueryResult {
    private let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        LibPQ.clear(handle)
    }

    /// The number of rows.
    public var rowCount: Int { LibPQ.rowCount(handle) }

    /// The number of columns.
    public var columnCount: Int { LibPQ.columnCount(handle) }

    /// The value at `row`, `column` in text format, or `nil` for NULL.
    public func value(_ row: Int, _ column: Int) -> String? {
        precondition(row < rowCount && column < columnCount, "result index out of range")
        return LibPQ.value(handle, row, column)
    }

    /// The raw bytes of a value (text, or binary for a binary cursor), or `nil` for NULL; valid while the
    /// result lives.
    public func bytes(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer? {
        precondition(row < rowCount && column < columnCount, "result index out of range")
        return LibPQ.bytes(handle, row, column)
    }

    /// The command tag, e.g. `SELECT 3`.
    public var commandStatus: String { LibPQ.commandStatus(handle) }
}
