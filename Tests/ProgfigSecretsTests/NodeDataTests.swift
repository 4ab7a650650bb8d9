import XCTest
import ProgfigSecrets

final class NodeDataTests: XCTestCase {
    func testParsesNodeAndSitedata() throws {
        let text = """
            [node]
            address = node1.example.com
            user = root
            Port = 2222

            [sitedata]
            age_pubkey = age1examplepublickey
            age_key_path = /etc/progfig/node.age
            flavor = blue
            notes = line one
              line two
            """
        let data = try NodeData(node: "node1", parsing: text, path: "nodes/node1.conf")
        XCTAssertEqual(data.name, "node1")
        XCTAssertEqual(data.path, "nodes/node1.conf")
        XCTAssertEqual(data.nodeSection, ["address": "node1.example.com", "user": "root", "port": "2222"])
        XCTAssertEqual(data.agePubkey, "age1examplepublickey")
        XCTAssertEqual(data.ageKeyPath, "/etc/progfig/node.age")
        XCTAssertEqual(data.sitedata, ["flavor": "blue", "notes": "line one\nline two"])
    }

    func testSectionsOptional() throws {
        let data = try NodeData(node: "n", parsing: "[other]\nx = 1\n", path: "n.conf")
        XCTAssertEqual(data.nodeSection, [:])
        XCTAssertNil(data.agePubkey)
        XCTAssertNil(data.ageKeyPath)
        XCTAssertEqual(data.sitedata, [:])
    }


    func testSyntaxErrorNamesFileAndLine() {
        XCTAssertThrowsSiteError(
            try NodeData(node: "n", parsing: "[node]\naddress\n", path: "nodes/n.conf"),
            "nodes/n.conf:2: expected 'key = value' or '[section]', found \"address\"")
    }
}
