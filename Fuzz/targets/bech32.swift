// Fuzz target "bech32": Bech32.decode on arbitrary text; every successful decode must re-encode
// to the same string (lowercased) and decode back to the same hrp and data.
import AgeFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let (hrp, bytes) = try? Bech32.decode(text) else { return 0 }
    // decode accepts only printable ASCII, so lowercasing is plain ASCII lowercasing.
    let lower = text.lowercased()
    let encoded = Bech32.encode(hrp: hrp, data: bytes)
    precondition(encoded == lower, "Bech32 round trip changed the string: \(text) -> \(encoded)")
    let upper = Bech32.encode(hrp: hrp, data: bytes, uppercase: true)
    precondition(upper == text.uppercased(), "Bech32 uppercase encoding differs: \(text) -> \(upper)")
    guard let (hrp2, bytes2) = try? Bech32.decode(encoded) else {
        preconditionFailure("Bech32 re-encoded string does not decode: \(encoded)")
    }
    precondition(hrp2 == hrp && bytes2 == bytes, "Bech32 decode(encode(x)) != x for \(text)")
    return 0
}
