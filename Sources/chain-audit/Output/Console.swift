import Foundation

/// Writes to stdout and stderr with plain `write(2)`, so a closed pipe is an error code, not a crash.
enum Console {
    /// Writes `text` to standard output; returns false if it could not be written whole.
    @discardableResult
    static func out(_ text: String) -> Bool {
        write(Array(text.utf8), to: STDOUT_FILENO)
    }

    /// Writes bytes to standard output.
    @discardableResult
    static func out(_ data: Data) -> Bool {
        write(Array(data), to: STDOUT_FILENO)
    }

    /// Writes one `chain-audit: error: …` line to standard error.
    static func error(_ message: String) {
        write(Array("chain-audit: error: \(message)\n".utf8), to: STDERR_FILENO)
    }

    /// Writes one `chain-audit: warning: …` line to standard error.
    static func warning(_ message: String) {
        write(Array("chain-audit: warning: \(message)\n".utf8), to: STDERR_FILENO)
    }

    /// Writes text to standard error as is.
    static func err(_ text: String) {
        write(Array(text.utf8), to: STDERR_FILENO)
    }

    @discardableResult
    private static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
