// libFuzzer entry point for the mail parser. Build and run with scripts/fuzz-mail (swiftc -sanitize=fuzzer,address).
// Crashers found are kept in Tests/HavenMailTests/Crashers and replayed by the test suite.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    let mail = InboundMail(parsing: bytes)
    _ = mail.newText.count + (mail.html?.count ?? 0) + mail.attachments.count
    return 0
}
