import Foundation

/// Which database a checkpoint belongs to: its cluster's system identifier and its name (read with the
/// other facts a run needs before it starts, `DatabaseFacts`).
public struct DatabaseIdentity: Sendable, Equatable {
    /// `pg_control_system().system_identifier`, shared by a primary and its streaming replicas.
    public var systemIdentifier: String
    /// `current_database()`.
    public var database: String

    /// The log name checkpoints use by default.
    public var logName: String {
        Checkpoint.defaultLogName(systemIdentifier: systemIdentifier, database: database)
    }
}
