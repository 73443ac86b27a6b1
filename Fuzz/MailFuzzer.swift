// libFuzzer entry point for the mail parser. Build and run with scripts/fuzz-mail (swiftc -sanitize=fuzzer,address).
// A crasher it finds becomes a case in Tests/HavenMailTests/RobustnessTests.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    let mail = InboundMail(parsing: bytes)
    _ = mail.newText.count + (mail.html?.count ?? 0) + mail.attachments.count
    return 0
}
