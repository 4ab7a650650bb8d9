import XCTest
import ProgfigSecrets

final class PEP440Tests: XCTestCase {
    func testValidVersions() {
        let valid = [
            "0", "1.0", "1.0.1700000000", "v1.0", "V2.0.0", "1!2.0", "2012.04", "1.0a1", "1.0.alpha.1",
            "1.0-preview-2", "1.0rc1", "1.0RC1", "1.0c1", "1.0b", "1.0pre", "1.0_beta_3", "1.0.post1", "1.0-1",
            "1.0rev4", "1.0r", "1.0.post", "1.0.dev3", "1.0.dev", "1.0a1.post2.dev3", "1.0+ubuntu-1",
            "1.0+abc.5", "1!1.0b2.post345.dev456+local.7",
        ]
        for version in valid {
            XCTAssertTrue(PEP440.isValid(version), "should be valid: \(version)")
        }
    }

    func testInvalidVersions() {
        let invalid = [
            "", "v", "vv1.0", "1.", ".1", "1..0", "1.0-", "1.0+", "1.0+abc_", "1.0+-abc", "1.0+a+b", "one",
            "1.0 ", " 1.0", "1.0a1b2", "1.0.dev1.post1", "1.0.post1.post2", "1!", "!1.0", "1.0^1", "1,0",
            "a1.0", "1.0-1-1", "-1.0.5",
        ]
        for version in invalid {
            XCTAssertFalse(PEP440.isValid(version), "should be invalid: \(version)")
        }
    }
}
