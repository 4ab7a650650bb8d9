import XCTest
@testable import AgeFormat

/// bcrypt_pbkdf against OpenBSD's published vectors (src/regress/lib/libutil/bcrypt_pbkdf).
final class BcryptPBKDFTests: XCTestCase {
    func testOpenBSDVectors() {
        let vectors: [(String, [UInt8], Int, String)] = [
            ("password", Array("salt".utf8), 4, "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"),
            ("password", [0], 4, "c12b566235eee04c212598970a579a67"),
            ("\0", Array("salt".utf8), 4, "6051be18c2f4f82cbf0efee5471b4bb9"),
            ("password\0", Array("salt\0".utf8), 4, "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"),
            ("pass\0wor", Array("sa\0l".utf8), 4, "c2bffd9db38f6569efef4372f4de83c0"),
            ("pass\0word", Array("sa\0lt".utf8), 4, "4ba4ac3925c0e8d7f0cdb6bb1684a56f"),
            ("password", Array("salt".utf8), 8,
             "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec76227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d"),
            ("password", Array("salt".utf8), 42, "833cf0dcf56db65608e8f0dc0ce882bd"),
            ("Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. "
             + "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. "
             + "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. "
             + "Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.",
             Array("salis\0".utf8), 8, "10978b07253df57f71a162eb0e8ad30a"),
        ]
        for (password, salt, rounds, expected) in vectors {
            let key = BcryptPBKDF.derive(passphrase: Array(password.utf8), salt: salt, rounds: rounds, length: expected.count / 2)
            let hex = key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
            XCTAssertEqual(hex, expected, "password \(password.prefix(12).debugDescription), \(rounds) rounds")
        }
    }
}
