import XCTest
import ProgfigSecrets

final class IniFileTests: XCTestCase {
    private func parse(_ text: String) throws -> IniFile {
        try IniFile(parsing: text, path: "inventory.conf")
    }

    func testBothDelimitersAndFirstDelimiterWins() throws {
        let ini = try parse("[s]\na = 1\nb: 2\nurl = http://h:80/x=y\nc: d = e\nf=g:h\n")
        XCTAssertEqual(try ini.section("s")?.entries, [
            .init(key: "a", value: "1", line: 2),
            .init(key: "b", value: "2", line: 3),
            .init(key: "url", value: "http://h:80/x=y", line: 4),
            .init(key: "c", value: "d = e", line: 5),
            .init(key: "f", value: "g:h", line: 6),
        ])
    }

    func testCommentsWithHashAndSemicolonIndentedOrNot() throws {
        let ini = try parse("# top\n; top too\n[s]\n  # indented\n\t; tabbed\nk = v # not an inline comment\n")
        XCTAssertEqual(try ini.section("s")?.entries, [.init(key: "k", value: "v # not an inline comment", line: 6)])
    }

    func testContinuationLinesJoinedWithNewline() throws {
        let ini = try parse("[s]\nroles = a\n  b\n\tc d\nnext = 1\n")
        XCTAssertEqual(try ini.section("s")?["roles"], "a\nb\nc d")
        XCTAssertEqual(try ini.section("s")?.entry("next")?.line, 5)
    }

    /// configparser strips only the end of a joined value: an empty first line stays.
    func testContinuationAfterEmptyValueKeepsTheLeadingNewline() throws {
        let ini = try parse("[s]\nroles =\n    a\n    b\n")
        XCTAssertEqual(try ini.section("s")?["roles"], "\na\nb")
    }

    func testCommentInsideContinuationDoesNotEndIt() throws {
        let ini = try parse("[s]\nk = a\n  # skipped\n  b\n")
        XCTAssertEqual(try ini.section("s")?["k"], "a\nb")
    }

    /// As Python's configparser (empty_lines_in_values, its default): a blank line inside a value
    /// is kept, an indented line after it continues the value, and trailing blank lines are trimmed.
    func testBlankLinesInsideAValueAreKept() throws {
        let ini = try parse("[s]\nk = a\n\n  j = b\n")
        XCTAssertEqual(try ini.section("s")?.entries, [.init(key: "k", value: "a\n\nj = b", line: 2)])
        let roles = try parse("[function_role_map]\nf =\n    r1\n\n  # comment\n\n    r2\n\n\n[t]\nx = 1\n\ny = 2\n")
        XCTAssertEqual(try roles.section("function_role_map")?.entries, [.init(key: "f", value: "\nr1\n\n\nr2", line: 2)])
        XCTAssertEqual(IniFile.splitList(try roles.section("function_role_map")?["f"] ?? ""), ["r1", "r2"])
        XCTAssertEqual(try roles.section("t")?.entries, [.init(key: "x", value: "1", line: 11), .init(key: "y", value: "2", line: 13)])
    }

    func testContinuationNeedsDeeperIndentThanKeyLine() throws {
        let ini = try parse("[s]\n  a = 1\n  b = 2\n    [not a section]\n")
        XCTAssertEqual(try ini.section("s")?.entries, [.init(key: "a", value: "1", line: 2), .init(key: "b", value: "2\n[not a section]", line: 3)])
    }

    func testKeysLowercasedSectionsCaseSensitive() throws {
        let ini = try parse("[Groups]\nGroup1 = Node1\n[groups]\ngroup1 = x\n")
        XCTAssertEqual(ini.rawSections.map(\.name), ["Groups", "groups"])
        XCTAssertEqual(try ini.section("Groups")?.entries, [.init(key: "group1", value: "Node1", line: 2)])
        XCTAssertEqual(try ini.section("Groups")?["GROUP1"], "Node1")
        XCTAssertNil(try ini.section("GROUPS"))
    }

    func testNamesAndValuesTrimmed() throws {
        // Section names are taken as written between '[' and the last ']'.
        let ini = try parse("[  spaced name  ]\n   key\t =   value with  inner   spaces  \n")
        XCTAssertNil(try ini.section("spaced name"))
        XCTAssertEqual(try ini.section("  spaced name  ")?.entries, [.init(key: "key", value: "value with  inner   spaces", line: 2)])
    }

    func testOrderOfSectionsAndKeysKept() throws {
        let ini = try parse("[z]\nb = 1\na = 2\n[a]\nz = 3\n")
        XCTAssertEqual(ini.rawSections.map(\.name), ["z", "a"])
        XCTAssertEqual(try ini.section("z")?.entries.map(\.key), ["b", "a"])
        XCTAssertEqual(try ini.section("a")?.line, 4)
    }

    func testCRLFLineEndings() throws {
        let ini = try parse("[s]\r\nk = v\r\nl = w\r\n  x\r\n")
        XCTAssertEqual(try ini.section("s")?.entries, [.init(key: "k", value: "v", line: 2), .init(key: "l", value: "w\nx", line: 3)])
    }

    func testEmptyValueAllowed() throws {
        XCTAssertEqual(try parse("[s]\nk =\n").section("s")?["k"], "")
    }

    func testDuplicateSectionIsErrorWithLineNumber() {
        XCTAssertThrowsSiteError(
            try parse("[groups]\na = b\n\n[groups]\n"),
            "inventory.conf:4: duplicate section [groups] (first on line 1)")
    }

    func testDuplicateKeyIsErrorIgnoringCase() {
        XCTAssertThrowsSiteError(
            try parse("[s]\nNode1 = a\nnode1 = b\n"),
            "inventory.conf:3: duplicate key \"node1\" in section [s] (first on line 2)")
    }

    func testSameKeyInDifferentSectionsAllowed() throws {
        let ini = try parse("[a]\nk = 1\n[b]\nk = 2\n")
        XCTAssertEqual(try ini.section("b")?["k"], "2")
    }

    func testKeyBeforeSectionIsError() {
        XCTAssertThrowsSiteError(
            try parse("# comment\nkey = value\n[s]\n"),
            "inventory.conf:2: expected '[section]' before the first key, found \"key = value\"")
    }

    func testUnrecognisedLineIsError() {
        XCTAssertThrowsSiteError(
            try parse("[s]\na = 1\nfoo\n"),
            "inventory.conf:3: expected 'key = value' or '[section]', found \"foo\"")
    }

    /// A secret key pasted into the inventory is named by its line, never shown.
    func testPastedSecretKeyIsNotShown() {
        XCTAssertThrowsSiteError(
            try parse("[s]\nAGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n"),
            "inventory.conf:2: expected 'key = value' or '[section]', found (text that looks like a secret key, not shown)")
        XCTAssertThrowsSiteError(
            try parse("-----BEGIN OPENSSH PRIVATE KEY-----\n"),
            "inventory.conf:1: expected '[section]' before the first key, found (text that looks like a secret key, not shown)")
    }

    func testIndentedLineWithoutKeyIsError() {
        XCTAssertThrowsSiteError(
            try parse("[s]\n  orphan\n"),
            "inventory.conf:2: expected 'key = value' or '[section]', found \"orphan\"")
    }

    func testLongUnrecognisedLineIsShortened() {
        let long = String(repeating: "x", count: 80)
        XCTAssertThrowsSiteError(
            try parse("[s]\n\(long)\n"),
            "inventory.conf:2: expected 'key = value' or '[section]', found \"\(String(repeating: "x", count: 60))…\"")
    }

    func testEmptyKeyIsError() {
        XCTAssertThrowsSiteError(try parse("[s]\n= v\n"), "inventory.conf:2: expected a key name before '='")
        XCTAssertThrowsSiteError(try parse("[s]\n : v\n"), "inventory.conf:2: expected a key name before ':'")
    }

    /// As configparser: "[]" is not a header (and not an option either), "[ ]" is a section named " ".
    func testSectionHeaderEdges() throws {
        XCTAssertThrowsSiteError(try parse("[]\n"), "inventory.conf:1: expected '[section]' before the first key, found \"[]\"")
        XCTAssertEqual(try parse("[ ]\nk = v\n").section(" ")?["k"], "v")
        // Text after the header's last ']' is ignored; a ']' inside belongs to the name.
        let ini = try parse("[groups] ; trailing text\na = b\n[x] y]\nk = v\n")
        XCTAssertEqual(try ini.section("groups")?["a"], "b")
        XCTAssertEqual(try ini.section("x] y")?["k"], "v")
    }

    func testDefaultSectionValuesAppearInEverySection() throws {
        let ini = try parse("[DEFAULT]\nbase = settz\nk = default\n[function_role_map]\nf = a\nk = own\n")
        XCTAssertEqual(try ini.section("function_role_map")?.entries, [
            .init(key: "base", value: "settz", line: 2), .init(key: "k", value: "own", line: 6), .init(key: "f", value: "a", line: 5),
        ])
        XCTAssertFalse(ini.hasSection("DEFAULT"))
        XCTAssertEqual(try ini.section("DEFAULT")?.entries.map(\.key), ["base", "k"])
    }

    func testBasicInterpolation() throws {
        let ini = try parse("[DEFAULT]\nhome = /srv\n[s]\ndir = %(home)s/keys\nkey = %(DIR)s/k.age\npct = 100%%\n")
        XCTAssertEqual(try ini.section("s")?["key"], "/srv/keys/k.age")
        XCTAssertEqual(try ini.section("s")?["pct"], "100%")
        XCTAssertThrowsSiteError(try parse("[s]\nk = 5%\n").section("s"),
                                 "inventory.conf:2: value of \"k\" in [s] has a '%' not followed by '%' or '(name)s' (write %% for a literal %)")
        XCTAssertThrowsSiteError(try parse("[s]\nk = %(nope)s\n").section("s"),
                                 "inventory.conf:2: value of \"k\" in [s] refers to %(nope)s, which is not in [s] or [DEFAULT]")
        XCTAssertThrowsSiteError(try parse("[s]\nk = %(k)s\n").section("s"),
                                 "inventory.conf:2: value of \"k\" in [s] refers to itself too deeply (more than 10 levels of %(...)s)")
    }

    func testSplitListOnAnyWhitespace() {
        XCTAssertEqual(IniFile.splitList("a b\n  c\td\n\ne"), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(IniFile.splitList("  \n "), [])
    }

    func testReadsFileFromDisk() throws {
        let dir = try makeTemporaryDirectory()
        let url = try writeFile("[s]\nk = v\n", to: "x.conf", in: dir)
        let ini = try IniFile(contentsOf: url)
        XCTAssertEqual(ini.path, url.path)
        XCTAssertEqual(try ini.section("s")?["k"], "v")
    }

    func testMissingFileIsErrorNamingPath() throws {
        let dir = try makeTemporaryDirectory()
        let url = dir.appendingPathComponent("absent.conf")
        XCTAssertThrowsSiteError(try IniFile(contentsOf: url), "\(url.path): file not found")
    }
}
