// Fuzz target "secretsjson": secrets JSON parsing; every parsed file must survive
// SecretsFile.encode (the original's exact json.dump format) and parse back equal.
import Foundation
import ProgfigSecrets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(bytes: data, count: size)
    guard let secrets = try? SecretsFile.parse(input, path: "fuzz.secrets.json") else { return 0 }
    let encoded = SecretsFile.encode(secrets)
    precondition(encoded.allSatisfy { $0 < 0x80 }, "encoded secrets file is not ASCII")
    guard let again = try? SecretsFile.parse(Data(encoded), path: "fuzz.secrets.json") else {
        preconditionFailure("encoded secrets file does not parse: \(String(decoding: encoded, as: UTF8.self))")
    }
    precondition(again == secrets, "secrets JSON round trip changed the contents")
    precondition(SecretsFile.encode(again) == encoded, "secrets JSON encoding is not stable")
    return 0
}
