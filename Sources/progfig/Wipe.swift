import Foundation

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros, for buffers that held key material or passphrases.
    mutating func wipe() {
        withUnsafeMutableBytes { if let base = $0.baseAddress { memset(base, 0, $0.count) } }
    }
}
