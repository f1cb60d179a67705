// libFuzzer target: connection string parsing and password redaction (built by Fuzz/run).
//
// Any input must be accepted or rejected without a crash, and a rejection's message must not contain any
// password the parser found in the input, in raw or percent-decoded form.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConnectionString(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard !text.contains("\0") else { return 0 }
    let passwords = ConnectionSpec.expandSecrets(ConnectionSpec.passwords(in: text)).filter { $0.count >= 6 }
    do {
        let spec = try ConnectionSpec(option: text, environment: [:])
        for password in passwords where spec.redact("x \(password) y").contains(password) {
            fatalError("redact kept a password")
        }
    } catch {
        let message = String(describing: error)
        for password in passwords where message.contains(password) {
            fatalError("an error message contains a password: \(message)")
        }
    }
    return 0
}
