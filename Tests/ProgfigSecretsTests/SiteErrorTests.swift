import XCTest
import ProgfigSecrets

final class SiteErrorTests: XCTestCase {
    func testDescriptionWithFileAndLine() {
        XCTAssertEqual(SiteError("bad", file: "inventory.conf", line: 12).description, "inventory.conf:12: bad")
    }

    func testDescriptionWithFileOnly() {
        XCTAssertEqual(SiteError("missing", file: "/site/x.json").description, "/site/x.json: missing")
    }

    func testDescriptionWithMessageOnly() {
        let error = SiteError("unknown node \"n\"")
        XCTAssertEqual(error.description, "unknown node \"n\"")
        XCTAssertNil(error.file)
        XCTAssertNil(error.line)
    }
}
