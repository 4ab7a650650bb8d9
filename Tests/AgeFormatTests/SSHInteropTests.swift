import Foundation
import XCTest
@testable import AgeFormat

/// ssh-ed25519 and ssh-rsa keys made by ssh-keygen, both ways with the `age` binary and with
/// pyrage (rage). Skips with a plain message when ssh-keygen, age or pyrage is missing.
final class SSHInteropTests: XCTestCase {
    private static let pyrage = """
    import sys, pyrage
    from pyrage import ssh, x25519
    mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    data = open(src, 'rb').read()
    if mode == 'enc':
        armored = sys.argv[4] == '1'
        rs = [ssh.Recipient.from_str(r) if r.startswith('ssh-') else x25519.Recipient.from_str(r) for r in sys.argv[5:]]
        out = pyrage.encrypt(data, rs, armored=armored)
    else:
        out = pyrage.decrypt(data, [ssh.Identity.from_buffer(open(sys.argv[4], 'rb').read())])
    open(dst, 'wb').write(out)
    """

    private func requireAge() throws -> String {
        guard let age = InteropTests.findExecutable("age") else {
            print("SKIPPED: age not installed")
            throw XCTSkip("age not installed")
        }
        return age
    }

    private func requirePyrage() throws {
        guard InteropTests.pyrageAvailable else {
            print("SKIPPED: pyrage not installed (python3 -c 'import pyrage' failed)")
            throw XCTSkip("pyrage not installed")
        }
    }

    private func check(_ r: ProcessResult, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(r.status, 0, "\(what): \(r.stderr)", file: file, line: line)
        if r.status != 0 { throw ToolFailure("\(what) failed") }
    }

    private func encryptHere(_ plaintext: [UInt8], to recipients: [any Recipient], armored: Bool) throws -> [UInt8] {
        try Encryptor(recipients: recipients, armored: armored).encrypt(plaintext)
    }

    /// Unprotected keys of every type and size: here -> age, age -> here, here -> rage, rage -> here.
    func testUnprotectedKeysBothWays() throws {
        let age = try requireAge()
        let dir = try makeTempDir(self)
        let keys = try [SSHKeygen.make("ed25519", in: dir)] + [2048, 3072, 4096].map { try SSHKeygen.make("rsa", bits: $0, in: dir) }
        let plaintext = plaintextStream(70_000)
        let plainURL = dir.appendingPathComponent("plain")
        try Data(plaintext).write(to: plainURL)
        for key in keys {
            let identity = try key.identity()
            XCTAssertEqual(identity.recipient?.encoded, try key.recipient().encoded, key.name)
            XCTAssertTrue(key.publicLine.hasPrefix(try key.recipient().encoded + " "), key.name)
            for armored in [false, true] {
                let what = "\(key.name), armored \(armored)"
                let enc = dir.appendingPathComponent("enc")
                try Data(try encryptHere(plaintext, to: [key.recipient()], armored: armored)).write(to: enc)
                let r = try runProcess(age, ["-d", "-i", key.privatePath.path, enc.path])
                try check(r, "age -d, \(what)")
                XCTAssertEqual(r.stdout, plaintext, what)
                let fromAge = try runProcess(age, ["-e"] + (armored ? ["-a"] : []) + ["-R", key.privatePath.path + ".pub", plainURL.path])
                try check(fromAge, "age -e -R, \(what)")
                XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(fromAge.stdout), plaintext, what)
            }
        }
        try requirePyrage()
        for key in keys {
            let enc = dir.appendingPathComponent("enc-py"), out = dir.appendingPathComponent("out-py")
            try check(try runProcess("/usr/bin/env", ["python3", "-c", Self.pyrage, "enc", plainURL.path, enc.path, "1", key.publicLine]), "pyrage enc \(key.name)")
            XCTAssertEqual(try Decryptor(identities: [key.identity()]).decrypt([UInt8](Data(contentsOf: enc))), plaintext, key.name)
            try Data(try encryptHere(plaintext, to: [key.recipient()], armored: false)).write(to: enc)
            try check(try runProcess("/usr/bin/env", ["python3", "-c", Self.pyrage, "dec", enc.path, out.path, key.privatePath.path]), "pyrage dec \(key.name)")
            XCTAssertEqual([UInt8](try Data(contentsOf: out)), plaintext, key.name)
        }
    }

    /// Passphrase-protected keys (each cipher ssh-keygen offers): files from age open here, the
    /// passphrase asked once and only for files addressed to the key.
    func testProtectedKeys() throws {
        let age = try requireAge()
        let dir = try makeTempDir(self)
        var keys = try [nil, "aes256-cbc", "aes256-gcm@openssh.com"].map { try SSHKeygen.make("ed25519", passphrase: "s3cret pass", cipher: $0, in: dir) }
        keys.append(try SSHKeygen.make("rsa", bits: 2048, passphrase: "s3cret pass", in: dir))
        let other = try SSHKeygen.make("ed25519", in: dir)
        let plainURL = dir.appendingPathComponent("plain")
        try Data("protected".utf8).write(to: plainURL)
        for key in keys {
            let asked = AskCounter()
            let identity = try key.identity(asked: asked)
            XCTAssertEqual(identity.recipient?.encoded, try key.recipient().encoded, key.name)
            let notForMe = try encryptHere([1], to: [other.recipient()], armored: false)
            assertAgeError(.noMatch) { try Decryptor(identities: [identity]).decrypt(notForMe) }
            XCTAssertEqual(asked.value, 0, "\(key.name): passphrase asked for a file not addressed to the key")
            let fromAge = try runProcess(age, ["-e", "-R", key.privatePath.path + ".pub", "-R", other.privatePath.path + ".pub", plainURL.path])
            try check(fromAge, "age -e \(key.name)")
            for _ in 0..<2 { XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(fromAge.stdout), Array("protected".utf8), key.name) }
            XCTAssertEqual(asked.value, 1, key.name)
            let wrong = SSHTestKey(name: key.name, privatePath: key.privatePath, publicLine: key.publicLine, passphrase: "wrong")
            let e = assertAgeError(.key) { try Decryptor(identities: [wrong.identity()]).decrypt(fromAge.stdout) }
            XCTAssertEqual(e?.message, "incorrect passphrase for the OpenSSH private key", key.name)
        }
    }

    /// One file to X25519, ssh-ed25519 and ssh-rsa recipients, armored: each key opens it, with
    /// age and here.
    func testMixedRecipients() throws {
        let age = try requireAge()
        let dir = try makeTempDir(self)
        let ed = try SSHKeygen.make("ed25519", in: dir), rsa = try SSHKeygen.make("rsa", bits: 2048, in: dir)
        let x = X25519Identity.generate()
        let xFile = dir.appendingPathComponent("x.txt")
        try Data("\(x.secretKeyString)\n".utf8).write(to: xFile)
        let plaintext = plaintextStream(1000)
        let file = try encryptHere(plaintext, to: [x.x25519Recipient, ed.recipient(), rsa.recipient()], armored: true)
        XCTAssertTrue(file.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)))
        let enc = dir.appendingPathComponent("mixed.age")
        try Data(file).write(to: enc)
        for keyFile in [xFile, ed.privatePath, rsa.privatePath] {
            let r = try runProcess(age, ["-d", "-i", keyFile.path, enc.path])
            try check(r, "age -d -i \(keyFile.lastPathComponent)")
            XCTAssertEqual(r.stdout, plaintext)
        }
        for identity in [x as any Identity, try ed.identity(), try rsa.identity()] {
            XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(file), plaintext)
        }
        let plainURL = dir.appendingPathComponent("plain")
        try Data(plaintext).write(to: plainURL)
        let recipients = dir.appendingPathComponent("recipients.txt")
        try Data("\(x.x25519Recipient.encoded)\n\(ed.publicLine)\n\(rsa.publicLine)\n".utf8).write(to: recipients)
        let fromAge = try runProcess(age, ["-e", "-a", "-R", recipients.path, plainURL.path])
        try check(fromAge, "age -e -a -R mixed")
        for identity in [x as any Identity, try ed.identity(), try rsa.identity()] {
            XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(fromAge.stdout), plaintext)
        }
    }

    /// Legacy PEM RSA keys (`ssh-keygen -m PEM`): unencrypted ones work both ways with age;
    /// protected ones get an error saying how to convert them.
    func testPEMRSAKeys() throws {
        let age = try requireAge()
        let keygen = try SSHKeygen.require()
        let dir = try makeTempDir(self)
        let path = dir.appendingPathComponent("id_rsa_pem")
        XCTAssertEqual(try runProcess(keygen, ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", path.path]).status, 0)
        let text = try String(contentsOf: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let pub = try String(contentsOf: URL(fileURLWithPath: path.path + ".pub"), encoding: .utf8).trimmingCharacters(in: .newlines)
        let identity = try XCTUnwrap(try AgeKeys.identities(in: text, name: "id_rsa_pem").first)
        XCTAssertEqual(identity.recipient?.encoded, try AgeKeys.recipient(pub).encoded)
        let plaintext = plaintextStream(500)
        let enc = dir.appendingPathComponent("enc")
        try Data(try encryptHere(plaintext, to: [AgeKeys.recipient(pub)], armored: true)).write(to: enc)
        let r = try runProcess(age, ["-d", "-i", path.path, enc.path])
        try check(r, "age -d -i PEM key")
        XCTAssertEqual(r.stdout, plaintext)
        let plainURL = dir.appendingPathComponent("plain")
        try Data(plaintext).write(to: plainURL)
        let fromAge = try runProcess(age, ["-e", "-R", path.path + ".pub", plainURL.path])
        try check(fromAge, "age -e -R PEM pub")
        XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(fromAge.stdout), plaintext)
        let protected = dir.appendingPathComponent("id_rsa_pem_pw")
        XCTAssertEqual(try runProcess(keygen, ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "a passphrase", "-f", protected.path]).status, 0)
        let e = assertAgeError(.key) { try AgeKeys.identities(in: String(contentsOf: protected, encoding: .utf8), name: "k") }
        XCTAssertEqual(e?.message, "k: passphrase-protected PEM keys are not supported; convert the key with ssh-keygen -p -f KEY")
    }
}
