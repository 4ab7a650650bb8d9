import Foundation

/// Canonical, unpadded standard base64 as the age header uses it (RFC 4648 section 4, no `=`).
enum UnpaddedBase64 {
    /// Encodes without padding.
    static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var s = Data(bytes).base64EncodedString()
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    /// Decodes canonical unpadded base64; nil for padding, bad characters or non-canonical input.
    static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        guard !text.contains(UInt8(ascii: "=")), text.count % 4 != 1 else { return nil }
        var padded = Array(text)
        while padded.count % 4 != 0 { padded.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(padded)) else { return nil }
        let bytes = [UInt8](data)
        // Reject encodings with non-zero trailing bits: only one string encodes each value.
        guard encode(bytes).utf8.elementsEqual(text) else { return nil }
        return bytes
    }
}
