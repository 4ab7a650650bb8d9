import Foundation
import XCTest
@testable import AgeFormat
import SecureIO

/// The hybrid post-quantum recipient type (mlkem768x25519): keys, round trips at the payload's
/// chunk edges, and the stanza rules. age 1.1.1 (the installed binary) predates post-quantum keys
/// (age v1.3), so there is no interop test with it here; the CCTV hybrid vectors and age's own
/// test key pair stand in for it.
final class PostQuantumTests: XCTestCase {
    /// A key pair from age's own test data (FiloSottile/age, cmd/age/testdata/hybrid.txt).
    static let ageTestIdentity = "AGE-SECRET-KEY-PQ-16XDSLZ3XCSZ3236YJ5J0T9NAPLZTP96LJKQCVHJYUDTQVJR5J5PQTDPQCX"
    static let ageTestRecipient = """
        age1pq1044e3hfmq2tltgck54m0gnpv8rfrwkdxjgl38psnwg8zfyv4uqdu63kk0u94ztt0q35k9dzuwgv405kxq6due2sre2kfs\
        jftf7k2vz2mdpetku9pufy9d6ny6k5ss0cghpxdxrux0yd5xy40f8fu8ch9xn2rczyek2pqetqk0l9fqj0e3hfhkyfmcf9j6cpe5\
        mf5stt9cymfq3xm276x4sramhn8srr42g78q9rkmqesevy33p4kdhkuggl99x9zx7j05uflx3s8q558xeaq9q9ctxqx52rzg6yff\
        wykxngvxf7g3n83ddawagq2lnk59kcnexm54jrsmkjk9nemlge9v6p7fxu5z6yvq3ghpet8ww2c3h9fylvjx6j9njwz744376ap5\
        r3xcpzh7qlk0kq3gknzfqhmxmjqypf6xz6geffdmy25apzsfr4ce0x825njkf62mgzx0x9n3zt0490u4dnt4468zse4zvd9sv0yc\
        x2u2wsseuy4yymrg0nmfuxcwq9q0jykq7g5f59vunf95vnmcw336ksrh43fgapsd40u4227ymx56xtudtrte39twnq6fdfdj4p9p\
        gx7pcqdk953za76fqcnvatx2cmywurag7ky4y8ecq5lvf25rydhxg6gmcn6vf78vtsqw79hp3mzv2u4v4jzn0nk50kl4gpv7k60c\
        gz79c6k30jzy8dyetqtwg04tguxkv2p4hqj02yvsz2szaqdn9flu24rhth3v0t33023nwy27gt0x32eqpa5tpz6ygz3yzcsa3w88\
        9drpynzd5hlywuk9dwgafuax7upfnnxch4znrx4vactasg32u7vl886pxfswskk7wjgqkggrewtnaecfusl3nmg0xxh8e5nl5eft\
        0xqwj5rk9ajn2j6yxehhgg5k6kpw5pk382hxmpu8wcd3rqx6m8905c7f8v0x2z9gyduxtqp2fdy9w2z4g2rrgu4d5cqes5tnwag0\
        07h2f326s3j9p6970xyd73rv5awx27zzezrax467c6vuye62ha88pzhw9xytjpezw3vg3l6x4k9rxwm9f6lwj6j7r9makg59rhgt\
        0355s3jx9vw3raz5qdk5cnpny56q5h3dyd75suskuz63wmmfp9333tx4ry38vnh7jxy0j0cka99y7v2dmyjldjy0mqjetcefsmmg\
        3pw0h9ll0rtskpmxz2cs8vmx6lu4v5rjtzpzgaqt46cwvnmhy5e3ye0tv6sre342lwg0tfd0yjkfz2haqc3hprpqf5ce8c9lx076\
        dnk5cukn3tu38jgprrxt9sk9nqzt8grvkc4qzlg8jjf638v07ej9cf4eu48kphrgyjy83qm822xq8v9k22zwa7txr439x74j2f9a\
        y7frkwtfdwn02enyx8stjpr4wgg25n5tj7uxyx0dqt3hnrqf7dcgt9fqnkjgemjfzyck6pawewptcayxm49sq3477f4cvm2p8fmg\
        27rcmwm5l2vmzvdmymvkrr3aywu04y3zlhs7awu3r9u9lseheqpffvm2xf8y6w2qaj9g22pcu0sdsnqseusrxq9awru5lyqxnzft\
        lslgpe3njegxkze98rveswp3u0xgx69wkg38vgp4k55lwwgv5l7ccv503mh9q23nud4xtm499xq276u40rxyrzaqfyuz2f3v5qr2\
        vq00xs4g3ruynmq0c6nprvjcwqc5zrdn4cnzeeuwumjvqfjdpxr739n4cqcwytc8pjmfcj2qs3l2a8p5fzq7nvtng2jvvklx0x5y\
        pnlkeuegsm587f6d4dkwel2es0lwwt88y2jdg8enjyph02tnjyndlx34h52fngjk96ggtu6vcxqkreqcxs4gwa8ww40t0kzlxfzy\
        fhtjmfdm5fcrr5pt2xm4yslfynr0h9wkranhyadxf33kjn9xpg2fq5hnlq0
        """

    func testAgeTestKeyPairDecodesToTheRecipientAgeWrote() throws {
        let identity = try MLKEM768X25519Identity(Self.ageTestIdentity)
        XCTAssertEqual(identity.hybridRecipient.encoded, Self.ageTestRecipient)
        XCTAssertEqual(identity.secretKeyString, Self.ageTestIdentity)
        let recipient = try MLKEM768X25519Recipient(Self.ageTestRecipient)
        XCTAssertEqual(recipient, identity.hybridRecipient)
        XCTAssertEqual(recipient.publicKey.count, 1216)
        XCTAssertEqual(Self.ageTestRecipient.count, 1959, "past BIP 173's 90 characters")
    }

    func testGeneratedKeysRoundTripThroughTheirEncodings() throws {
        let identity = try MLKEM768X25519Identity.generate()
        XCTAssertTrue(identity.secretKeyString.hasPrefix("AGE-SECRET-KEY-PQ-1"))
        XCTAssertTrue(identity.hybridRecipient.encoded.hasPrefix("age1pq1"))
        XCTAssertEqual(try MLKEM768X25519Identity(identity.secretKeyString).hybridRecipient, identity.hybridRecipient)
        XCTAssertNotEqual(try MLKEM768X25519Identity.generate().hybridRecipient, identity.hybridRecipient)
    }

    func testMalformedKeysAreRefusedWithoutQuotingSecrets() throws {
        let secret = Self.ageTestIdentity
        var error = assertAgeError(.key) { try MLKEM768X25519Recipient(secret) }
        XCTAssertFalse(error?.message.contains(secret.dropFirst(19)) ?? true)
        XCTAssertTrue(error?.message.contains("secret key") ?? false)
        // A flipped character breaks the checksum; the wrong HRP or length is not a PQ key.
        var chars = Array(Self.ageTestRecipient)
        chars[500] = chars[500] == "q" ? "p" : "q"
        assertAgeError(.key) { try MLKEM768X25519Recipient(String(chars)) }
        assertAgeError(.key) { try MLKEM768X25519Recipient(Bech32.encode(hrp: "age1pq", data: [UInt8](repeating: 1, count: 32))) }
        assertAgeError(.key) { try MLKEM768X25519Recipient("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj") }
        assertAgeError(.key) { try MLKEM768X25519Recipient(Self.ageTestRecipient.uppercased()) }
        // An ML-KEM key whose coefficients are not reduced mod q is not a valid public key.
        let bad = try MLKEM768X25519Recipient(Self.ageTestRecipient).publicKey
        assertAgeError(.key) { try MLKEM768X25519Recipient(Bech32.encode(hrp: "age1pq", data: [0xff, 0xff] + bad.dropFirst(2))) }
        error = assertAgeError(.key) { try MLKEM768X25519Identity(secret.lowercased()) }
        XCTAssertFalse(error?.message.lowercased().contains(secret.lowercased().dropFirst(19)) ?? true)
        assertAgeError(.key) { try MLKEM768X25519Identity(Bech32.encode(hrp: "AGE-SECRET-KEY-PQ-", data: [UInt8](repeating: 1, count: 31), uppercase: true)) }
        assertAgeError(.key) { try MLKEM768X25519Identity(String(secret.dropLast()) + (secret.last == "Q" ? "P" : "Q")) }
    }

    /// Sizes around the 64 KiB chunk: empty, one byte, one short of, exactly, one past, and 1 MiB.
    static let chunkEdgeSizes = [0, 1, 65_535, 65_536, 65_537, 1 << 20]

    func testRoundTripsAtChunkEdgesWithOneAndThreeRecipients() throws {
        let identities = try (0..<3).map { _ in try MLKEM768X25519Identity.generate() }
        for count in [1, 3] {
            let recipients = identities.prefix(count).map(\.hybridRecipient)
            for armored in [false, true] {
                let encryptor = try Encryptor(recipients: recipients, armored: armored)
                for size in Self.chunkEdgeSizes {
                    let plaintext = plaintextStream(size)
                    let file = try encryptor.encrypt(plaintext)
                    let header = String(decoding: file.prefix(armored ? 0 : 200), as: UTF8.self)
                    if !armored { XCTAssertTrue(header.contains("\n-> mlkem768x25519 "), "size \(size)") }
                    for identity in identities.prefix(count) {
                        XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(file), plaintext,
                                       "\(count) recipients, armored \(armored), size \(size)")
                    }
                    if count == 1 {
                        assertAgeError(.noMatch) { try Decryptor(identities: [identities[2]]).decrypt(file) }
                    }
                }
            }
        }
    }

    func testStanzaShapeAndRules() throws {
        let identity = try MLKEM768X25519Identity(Self.ageTestIdentity)
        let fileKey = SecureBytes.random(count: 16)
        let stanzas = try identity.hybridRecipient.wrap(fileKey: fileKey)
        XCTAssertEqual(stanzas.count, 1)
        let stanza = stanzas[0]
        XCTAssertEqual(stanza.type, "mlkem768x25519")
        XCTAssertEqual(stanza.arguments.count, 1)
        XCTAssertEqual(UnpaddedBase64.decode(stanza.arguments[0].utf8)?.count, 1120)
        XCTAssertEqual(stanza.body.count, 32)
        let unwrapped = try XCTUnwrap(identity.unwrap(stanzas: stanzas))
        XCTAssertEqual(unwrapped.withUnsafeBytes { Array($0) }, fileKey.withUnsafeBytes { Array($0) })

        func header(_ change: (inout Stanza) -> Void) -> [Stanza] {
            var copy = stanza
            change(&copy)
            return [copy]
        }
        // Malformed stanzas of this type are header failures; other types are ignored.
        assertAgeError(.header) { try identity.unwrap(stanzas: header { $0.arguments.append("x") }) }
        assertAgeError(.header) { try identity.unwrap(stanzas: header { $0.arguments = [] }) }
        assertAgeError(.header) { try identity.unwrap(stanzas: header { $0.arguments[0].removeLast(4) }) }
        assertAgeError(.header) { try identity.unwrap(stanzas: header { $0.body.append(0) }) }
        assertAgeError(.header) { try identity.unwrap(stanzas: header { $0.body.removeLast() }) }
        XCTAssertNil(try identity.unwrap(stanzas: header { $0.type = "MLKEM768X25519" }))
        XCTAssertNil(try identity.unwrap(stanzas: header { $0.body[0] ^= 1 }))
        XCTAssertNil(try MLKEM768X25519Identity.generate().unwrap(stanzas: stanzas))
        // A match after someone else's stanzas, across a batch large enough to be tried in parallel.
        let others = try (0..<20).flatMap { _ in try MLKEM768X25519Identity.generate().hybridRecipient.wrap(fileKey: fileKey) }
        XCTAssertNotNil(try identity.unwrap(stanzas: others + stanzas))
        // The first stanza that decides wins: a malformed one before ours fails the header.
        assertAgeError(.header) { try identity.unwrap(stanzas: others + header { $0.body.append(0) } + stanzas) }
    }

    func testMixingWithClassicRecipientsIsRefusedNamingThem() throws {
        let pq = try MLKEM768X25519Recipient(Self.ageTestRecipient)
        XCTAssertEqual(pq.labels, ["postquantum"])
        let x25519 = X25519Identity.generate().x25519Recipient
        let tag = try P256TagRecipient("age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e")
        for recipients: [any Recipient] in [[pq, x25519], [x25519, pq], [pq, tag, x25519]] {
            let error = assertAgeError(.usage) { try Encryptor(recipients: recipients) }
            let message = error?.message ?? ""
            XCTAssertTrue(message.hasPrefix("can't mix post-quantum and classic recipients"), message)
            XCTAssertTrue(message.contains(x25519.encoded), message)
            XCTAssertFalse(message.contains(pq.encoded), "the post-quantum key is not the one to blame: \(message)")
        }
        // The refusal comes before anything is written.
        var sink = ArraySink()
        XCTAssertThrowsError(try Encryptor(recipients: [pq, x25519]).encrypt(from: ArraySource([1, 2, 3]), to: &sink))
        XCTAssertEqual(sink.bytes, [])
        // Post-quantum recipients mix with each other; decryption accepts mixed files (CCTV hybrid_and_x25519).
        let other = try MLKEM768X25519Identity.generate()
        let file = try Encryptor(recipients: [pq, other.hybridRecipient]).encrypt([7])
        XCTAssertEqual(try Decryptor(identities: [other]).decrypt(file), [7])
    }

    func testIdentityFilesHoldBothKinds() throws {
        let pq = try MLKEM768X25519Identity.generate(), classic = X25519Identity.generate()
        let text = "# both kinds\n\(pq.secretKeyString)\n\n\(classic.secretKeyString)\n"
        let identities = try AgeKeys.identities(in: text, name: "keys.txt")
        XCTAssertEqual(identities.compactMap { $0.recipient?.encoded }, [pq.hybridRecipient.encoded, classic.x25519Recipient.encoded])
        let pqFile = try Encryptor(recipients: [pq.hybridRecipient]).encrypt([1])
        let classicFile = try Encryptor(recipients: [classic.x25519Recipient]).encrypt([2])
        XCTAssertEqual(try Decryptor(identities: identities).decrypt(pqFile), [1])
        XCTAssertEqual(try Decryptor(identities: identities).decrypt(classicFile), [2])
        XCTAssertTrue(try AgeKeys.recipient(pq.hybridRecipient.encoded) is MLKEM768X25519Recipient)
        let bad = String(pq.secretKeyString.dropLast()) + (pq.secretKeyString.last == "Q" ? "P" : "Q")
        let error = assertAgeError(.key) { try AgeKeys.identities(in: "\(classic.secretKeyString)\n\(bad)\n", name: "keys.txt") }
        XCTAssertEqual(error?.message, "keys.txt:2: invalid identity: invalid Bech32 checksum")
    }

    /// Interop with the `age` binary when it is v1.3 or later; the installed 1.1.1 predates
    /// post-quantum keys, so on this machine the test reports a skip.
    func testInteropWithAgeBinaryWhenItKnowsPostQuantumKeys() throws {
        guard let age = InteropTests.findExecutable("age") else {
            print("SKIPPED: age binary not found")
            throw XCTSkip("age binary not found")
        }
        let version = String(decoding: try runProcess(age, ["--version"]).stdout, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = version.drop(while: { $0 == "v" }).split(separator: ".").compactMap { Int($0.prefix(while: \.isNumber)) }
        guard parts.count >= 2, (parts[0], parts[1]) >= (1, 3) else {
            print("SKIPPED: age \(version) predates post-quantum keys (age v1.3); no post-quantum interop run")
            throw XCTSkip("age \(version) predates post-quantum keys (age v1.3)")
        }
        let dir = try makeTempDir(self)
        let identity = try MLKEM768X25519Identity(Self.ageTestIdentity)
        let keyFile = dir.appendingPathComponent("key.txt")
        try (identity.secretKeyString + "\n").write(to: keyFile, atomically: false, encoding: .utf8)
        let plaintext = plaintextStream(70_000)
        let theirs = try runProcess(age, ["-r", Self.ageTestRecipient], stdin: plaintext)
        XCTAssertEqual(theirs.status, 0, theirs.stderr)
        XCTAssertEqual(try Decryptor(identities: [identity]).decrypt(theirs.stdout), plaintext)
        let ours = try Encryptor(recipients: [identity.hybridRecipient]).encrypt(plaintext)
        let opened = try runProcess(age, ["-d", "-i", keyFile.path], stdin: ours)
        XCTAssertEqual(opened.status, 0, opened.stderr)
        XCTAssertEqual(opened.stdout, plaintext)
    }
}
