import Foundation

/// Writes report files whole or not at all: a temporary file in the same directory, fsync, rename, and an
/// fsync of the directory, so a reader (a CI step, node_exporter) never sees a half-written file.
public enum AtomicFile {
    /// Replaces the file at `path` with `data`.
    ///
    /// The temporary file is `.<name>.tmp-XXXXXX` beside it (never `*.prom`, so node_exporter's textfile
    /// collector skips it), and is removed on any failure. A new file gets mode 0666 less the umask; a
    /// replaced file keeps its mode.
    ///
    /// - Throws: `AtomicFileError` naming the path and the system's reason.
    public static func write(_ data: Data, to path: String) throws(AtomicFileError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AtomicFileError(path: path, reason: "not a file name")
        }
        var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: Self.reason()) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: String?
        let mode: mode_t
        var existing = stat()
        if stat(path, &existing) == 0 {
            mode = existing.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        if fchmod(fd, mode) != 0 { failure = Self.reason() }
        if failure == nil {
            data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = Self.reason()
                        return
                    }
                    offset += n
                }
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = Self.reason() }
        if close(fd) != 0, failure == nil { failure = Self.reason() }
        if failure == nil, rename(temporary, path) != 0 { failure = Self.reason() }
        if let failure {
            unlink(temporary)
            throw AtomicFileError(path: path, reason: failure)
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Appends `data` to the file at `path` in one `write` (creating it), as `$GITHUB_STEP_SUMMARY` expects.
    public static func append(_ data: Data, to path: String) throws(AtomicFileError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: Self.reason()) }
        defer { close(fd) }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = Self.reason()
                    return
                }
                offset += n
            }
        }
        if let failure { throw AtomicFileError(path: path, reason: failure) }
    }

    private static func reason() -> String {
        String(cString: strerror(errno))
    }
}
