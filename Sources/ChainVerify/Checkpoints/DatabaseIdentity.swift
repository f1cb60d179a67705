import Foundation

/// Which database a checkpoint belongs to: its cluster's system identifier and its name.
public struct DatabaseIdentity: Sendable, Equatable {
    /// `pg_control_system().system_identifier`, shared by a primary and its streaming replicas.
    public var systemIdentifier: String
    /// `current_database()`.
    public var database: String

    /// Reads the identity of the database `connection` is on.
    public static func read(_ connection: Connection) throws -> DatabaseIdentity {
        let result = try ReadOnlySession.run(on: connection) {
            try connection.execute(
                "SELECT system_identifier::text, pg_catalog.current_database() FROM pg_catalog.pg_control_system()")
        }
        guard result.rowCount == 1, let id = result.value(0, 0), let name = result.value(0, 1) else {
            throw VerificationError("cannot read the database's system identifier")
        }
        return DatabaseIdentity(systemIdentifier: id, database: name)
    }

    /// The log name checkpoints use by default.
    public var logName: String {
        Checkpoint.defaultLogName(systemIdentifier: systemIdentifier, database: database)
    }
}
