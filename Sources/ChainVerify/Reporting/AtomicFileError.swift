/// A report file that could not be written.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable {
    /// The file.
    public var path: String
    /// The system's reason.
    public var reason: String

    public var description: String { "cannot write \(path): \(reason)" }
}
