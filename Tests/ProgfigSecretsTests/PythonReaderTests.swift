import XCTest
import ProgfigSecrets

/// The static Python reader: every construct sites use, and each unsupported construct's error,
/// which names file:line:column. Nothing here runs Python.
final class PythonReaderTests: XCTestCase {
    private let path = "/site/pkg/nodes/n1.py"

    private func value(_ source: String, _ name: String = "x") throws -> PythonValue? {
        try PythonModule(parsing: source, path: path).value(of: name)
    }

    private func string(_ source: String) throws -> String? {
        guard case .string(let s)? = try value(source) else { return nil }
        return s
    }

    func testStringLiteralsInEveryForm() throws {
        XCTAssertEqual(try string("x = 'single'"), "single")
        XCTAssertEqual(try string("x = \"double\""), "double")
        XCTAssertEqual(try string("x = '''triple\nsingle'''"), "triple\nsingle")
        XCTAssertEqual(try string("x = \"\"\"triple \"quoted\" \"\"\""), "triple \"quoted\" ")
        XCTAssertEqual(try string(#"x = r'raw\n\d'"#), #"raw\n\d"#)
        XCTAssertEqual(try string(#"x = R"raw\"q""#), #"raw\"q"#)
        XCTAssertEqual(try string(#"x = u'unicode'"#), "unicode")
        XCTAssertEqual(try string(#"x = 'a\tb\n\\\'\"\x41\101\u00e9\U0001F600\q'"#), "a\tb\n\\'\"AAé😀\\q")
        XCTAssertEqual(try string("x = 'a' \"b\" '''c'''"), "abc")
        XCTAssertEqual(try string("x = ('implicit '\n     'concatenation')"), "implicit concatenation")
        XCTAssertEqual(try string("x = f'no fields {{braces}}'"), "no fields {braces}")
        XCTAssertEqual(try string("x = rf'raw {{}} \\d'"), "raw {} \\d")
        XCTAssertEqual(try string("x = 'line \\\ncontinued'"), "line continued")
    }

    func testNumbersConstantsAndContainers() throws {
        XCTAssertEqual(try value("x = 1_000"), .integer(1000))
        XCTAssertEqual(try value("x = 0x1F"), .integer(31))
        XCTAssertEqual(try value("x = 0o17"), .integer(15))
        XCTAssertEqual(try value("x = 0b101"), .integer(5))
        XCTAssertEqual(try value("x = -3"), .integer(-3))
        XCTAssertEqual(try value("x = 2.5e3"), .float(2500))
        XCTAssertEqual(try value("x = True"), .bool(true))
        XCTAssertEqual(try value("x = False"), .bool(false))
        XCTAssertEqual(try value("x = None"), PythonValue.none)
        XCTAssertEqual(try value("x = [1, 'a',]"), .list([.integer(1), .string("a")]))
        XCTAssertEqual(try value("x = (1,)"), .tuple([.integer(1)]))
        XCTAssertEqual(try value("x = ()"), .tuple([]))
        XCTAssertEqual(try value("x = 1, 2"), .tuple([.integer(1), .integer(2)]))
        XCTAssertEqual(try value("x = {'a': [1], 'b': {}}"),
                       .dict([PythonDictEntry(key: .string("a"), value: .list([.integer(1)])),
                              PythonDictEntry(key: .string("b"), value: .dict([]))]))
        XCTAssertEqual(try value("x = dict(a=1, b=dict(c='d'))"),
                       .dict([PythonDictEntry(key: .string("a"), value: .integer(1)),
                              PythonDictEntry(key: .string("b"), value: .dict([PythonDictEntry(key: .string("c"), value: .string("d"))]))]))
        // A repeated key keeps its first place and its last value, as in a Python dict.
        XCTAssertEqual(try value("x = {'a': 1, 'b': 2, 'a': 3}"),
                       .dict([PythonDictEntry(key: .string("a"), value: .integer(3)), PythonDictEntry(key: .string("b"), value: .integer(2))]))
    }

    func testCommentsContinuationsImportsAndOtherStatements() throws {
        let source = """
            # -*- coding: utf-8 -*-
            \"\"\"Docstring.\"\"\"
            import os
            from pathlib import Path  # trailing comment
            from progfiguration.inventory.nodes import (
                InventoryNode,
            )

            def helper(a, b=1):
                return a + b

            class Thing:
                x = 'inside a class'

            if True:
                x = 'inside an if'
            sitewrapper.set_progfigsite_by_module_name("site")
            y: int = 1; z = 2
            x = \\
                'top level'
            w = v = 'chained'
            """
        let module = try PythonModule(parsing: source, path: path)
        XCTAssertEqual(try module.value(of: "x"), .string("top level"))
        XCTAssertEqual(try module.value(of: "y"), .integer(1))
        XCTAssertEqual(try module.value(of: "z"), .integer(2))
        XCTAssertEqual(try module.value(of: "w"), .string("chained"))
        XCTAssertEqual(try module.value(of: "v"), .string("chained"))
        XCTAssertTrue(module.definesFunction("helper"))
        XCTAssertNil(try module.value(of: "helper"))
    }

    func testPathsRelativeToTheModule() throws {
        XCTAssertEqual(try value("x = __file__"), .string(path))
        XCTAssertEqual(try value("x = Path(__file__)"), .path(path))
        XCTAssertEqual(try value("x = Path(__file__).parent"), .path("/site/pkg/nodes"))
        XCTAssertEqual(try value("x = (Path(__file__).parent.parent / 'k.age').as_posix()"), .string("/site/pkg/k.age"))
        XCTAssertEqual(try value("x = str(pathlib.Path(__file__).parent / 'a' / 'b')"), .string("/site/pkg/nodes/a/b"))
        XCTAssertEqual(try value("x = Path('/abs') / 'x/./y//z/'"), .path("/abs/x/y/z"))
        XCTAssertEqual(try value("x = Path('rel') / '/abs'"), .path("/abs"))
        XCTAssertEqual(try value("x = os.path.join(os.path.dirname(__file__), '..', 'k.age')"), .string("/site/pkg/nodes/../k.age"))
        XCTAssertEqual(try value("x = os.path.dirname(os.path.dirname(__file__))"), .string("/site/pkg"))
        XCTAssertEqual(try value("x = Path('/a/b/../c').resolve()"), .path("/a/c"))
        XCTAssertEqual(try value("KEY = 'age1x'\nx = KEY"), .string("age1x"))
    }

    private func assertError(_ source: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsSiteError(try value(source), "\(path):\(message)", file: file, line: line)
    }

    func testUnsupportedConstructsAreErrorsNamingLineAndColumn() {
        let cannot = "(progfig reads site modules without running them)"
        assertError("x = 1 if y else 2", "1:5: cannot evaluate conditional expression \(cannot)")
        assertError("x = [a for a in b]", "1:5: cannot evaluate list comprehension \(cannot)")
        assertError("x = {k: v for k, v in y}", "1:5: cannot evaluate dict comprehension \(cannot)")
        assertError("x = lambda: 1", "1:5: cannot evaluate lambda \(cannot)")
        assertError("x = f'{name}'", "1:5: cannot evaluate f-string with replacement fields \(cannot)")
        assertError("x = b'bytes'", "1:5: cannot evaluate bytes literal \(cannot)")
        assertError("x = {1, 2}", "1:5: cannot evaluate set \(cannot)")
        assertError("x = y[0]", "1:5: cannot evaluate subscript \(cannot)")
        assertError("x = 1j", "1:5: cannot evaluate complex number \(cannot)")
        assertError("x = not y", "1:5: cannot evaluate 'not' expression \(cannot)")
        assertError("x = 99999999999999999999999", "1:5: cannot evaluate integer too large \(cannot)")
        assertError("x = 'a' * 3", "1:9: cannot evaluate operator '*' on these operands \(cannot)")
        assertError("x = undefined", "1:5: cannot evaluate name 'undefined': not assigned earlier at the top level of the module \(cannot)")
        assertError("x = y\ny = 1", "1:5: cannot evaluate name 'y': not assigned earlier at the top level of the module \(cannot)")
        assertError("x = SecretReference('db')", "1:5: cannot evaluate a call to 'SecretReference' \(cannot)")
        assertError("x = Path('a').name.upper()", "1:19: cannot evaluate a call to this expression \(cannot)")
        assertError("x = Path('a').stem", "1:14: cannot evaluate attribute 'stem' \(cannot)")
        assertError("x = '\\N{BULLET}'", "1:6: unsupported construct: \\N{...} escape (progfig reads site modules without running Python)")
    }

    func testUnusedUnsupportedValuesAreParsedAndSkipped() throws {
        let module = try PythonModule(parsing: """
            roles = dict(db=dict(password=SecretReference(name="db"), hosts=[h for h in HOSTS], f=lambda x: x * 2))
            x = 'fine'
            """, path: path)
        XCTAssertEqual(try module.value(of: "x"), .string("fine"))
    }

    func testInvalidPythonIsAnErrorNamingTheLine() {
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = 'unterminated\n", path: path), "\(path):1:5: unterminated string literal")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = '''never\nclosed\n", path: path),
                                 "\(path):1:5: unterminated triple-quoted string literal")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = (1,\n2\n", path: path), "\(path):1:5: '(' was never closed")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = 1)\n", path: path), "\(path):1:6: unmatched ')'")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = (1]\n", path: path),
                                 "\(path):1:7: closing parenthesis ']' does not match opening parenthesis '('")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = 1\n  y = 2\n", path: path), "\(path):2:3: unexpected indent")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = $\n", path: path), "\(path):1:5: invalid character '$' in Python source")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = \n", path: path), "\(path):1:5: invalid syntax: expected an expression")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = 1 2\n", path: path), "\(path):1:7: invalid syntax")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = 'a' b'b'\n", path: path), "\(path):1:9: cannot mix bytes and nonbytes literals")
        XCTAssertThrowsSiteError(try PythonModule(parsing: "x = 1 \\ 2\n", path: path),
                                 "\(path):1:7: unexpected character after line continuation character")
    }

    /// A node module as the original keeps it, with computed paths and role arguments never evaluated.
    func testNodeModule() throws {
        let module = try PythonModule(parsing: """
            from pathlib import Path
            from progfiguration.inventory.nodes import InventoryNode

            node = InventoryNode(
                address="node1.example.mil",
                user="admin",
                ssh_host_fingerprint="SHA256:abc",
                sitedata=dict(
                    age_key_path=(Path(__file__).parent.parent.parent / "node1.age").as_posix(),
                    age_pubkey="age1g6gf04flzm0tk64nztfxklystvaymeznfsts56t5rs2mtrvsqg6qhyn60n",
                    rack="r7",
                    computed=f"{1}",
                ),
                roles=dict(settz={"timezone": "US/Pacific"}, db=dict(password=SecretReference(name="db"))),
            )
            """, path: path)
        let data = try NodeData(node: "n1", module: module)
        XCTAssertEqual(data.agePubkey, "age1g6gf04flzm0tk64nztfxklystvaymeznfsts56t5rs2mtrvsqg6qhyn60n")
        XCTAssertEqual(data.ageKeyPath, "/site/node1.age")
        XCTAssertEqual(data.nodeSection, ["address": "node1.example.mil", "user": "admin", "ssh_host_fingerprint": "SHA256:abc"])
        XCTAssertEqual(data.sitedata, ["rack": "r7"])
        // A needed value that cannot be evaluated is an error naming where it is.
        let bad = try PythonModule(parsing: "node = InventoryNode(address='a', sitedata={'age_pubkey': KEYS['n1']})\n", path: path)
        XCTAssertThrowsSiteError(try NodeData(node: "n1", module: bad),
                                 "\(path):1:59: cannot evaluate subscript (progfig reads site modules without running them)")
        let notNode = try PythonModule(parsing: "node = make_node('a')\n", path: path)
        XCTAssertThrowsSiteError(try NodeData(node: "n1", module: notNode), "\(path):1:8: expected node = InventoryNode(...)")
    }
}
