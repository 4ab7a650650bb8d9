// Fuzz target "header": the in-memory age header parser, binary or armored.
// Any thrown error is fine; a crash, trap or sanitizer report is a finding.
@testable import AgeFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Small caps as well as the defaults, so that the limit paths are reached with small inputs.
    let limits: [Limits] = [.default, Limits(maxHeaderBytes: 200, maxStanzas: 2, maxScryptWorkFactor: 2)]
    for limit in limits {
        guard let header = try? Header.parse(bytes, limits: limit) else { continue }
        // A parsed header has a 32-byte MAC and stanzas whose type and arguments are non-empty VCHAR.
        precondition(header.mac.count == 32, "parsed header with a MAC of \(header.mac.count) bytes")
        for stanza in header.stanzas {
            for field in [stanza.type] + stanza.arguments {
                precondition(!field.isEmpty && field.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7e },
                             "parsed stanza with an invalid field")
            }
        }
        precondition(header.stanzas.count <= limit.maxStanzas, "stanza limit not enforced")
        // Parsing is strict, so a header has one encoding: a binary header that parses re-encodes
        // to exactly the bytes it was read from (a decoder that let two spellings through fails).
        if bytes.starts(with: Header.versionLine) {
            let encoded = Header.versionLine + header.stanzas.flatMap { $0.encoded() } + Array("--- \(UnpaddedBase64.encode(header.mac))\n".utf8)
            precondition(bytes.starts(with: encoded), "parsed a header that does not re-encode to its bytes")
        }
    }
    return 0
}
