// Seed helper (not a fuzz target): writes an age file encrypted with a passphrase at a small scrypt
// work factor, which the age CLI cannot do (it always uses 18).
//   mkscrypt PASSPHRASE WORK_FACTOR armor|binary < plaintext > file.age
// Built by Fuzz/make-seeds (Package.swift declares it when PROGFIG_FUZZ is set).
@testable import AgeFormat
import Glibc

@main
enum MakeScryptSeed {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 4, let workFactor = Int(args[2]) else {
            let usage = "usage: mkscrypt PASSPHRASE WORK_FACTOR armor|binary < plaintext > file.age\n"
            _ = usage.withCString { write(2, $0, strlen($0)) }
            exit(2)
        }
        var plaintext: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            plaintext += buffer[0..<n]
        }
        let encryptor = try Encryptor(recipients: [ScryptRecipient(passphrase: args[1], workFactor: workFactor)],
                                      armored: args[3] == "armor")
        let out = try encryptor.encrypt(plaintext)
        _ = out.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}
