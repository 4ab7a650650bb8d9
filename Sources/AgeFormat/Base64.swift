/// Canonical, unpadded standard base64 as the age header uses it (RFC 4648 section 4, no `=`).
enum UnpaddedBase64 {
    /// Encodes without padding.
    static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let s = bytes.withContiguousStorageIfAvailable({ Sodium.base64Encode(UnsafeRawBufferPointer($0), padded: false) }) {
            return s
        }
        return Array(bytes).withUnsafeBytes { Sodium.base64Encode($0, padded: false) }
    }

    /// Decodes canonical unpadded base64; nil for padding, bad characters or non-canonical input
    /// (non-zero trailing bits), so that only one string encodes each value.
    static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        if let result = text.withContiguousStorageIfAvailable({ Sodium.base64Decode(UnsafeRawBufferPointer($0), padded: false) }) {
            return result
        }
        return Array(text).withUnsafeBytes { Sodium.base64Decode($0, padded: false) }
    }
}
