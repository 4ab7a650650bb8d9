import Foundation

/// A value computed from a site module without running Python.
public enum PythonValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case none
    case list([PythonValue])
    case tuple([PythonValue])
    /// A dict's entries in insertion order (a repeated key keeps its first place and last value).
    case dict([PythonDictEntry])
    /// A `pathlib.Path`, normalized as pathlib does.
    case path(String)

    /// The value as `str()` gives it, for strings and paths; nil for anything else.
    public var text: String? {
        switch self {
        case .string(let s), .path(let s): return s
        default: return nil
        }
    }
}

/// One `key: value` entry of a dict value.
public struct PythonDictEntry: Equatable, Sendable {
    /// The key.
    public let key: PythonValue
    /// The value.
    public let value: PythonValue

    /// An entry.
    public init(key: PythonValue, value: PythonValue) {
        self.key = key
        self.value = value
    }
}

/// A site's Python module (inventory.py, nodes/NAME.py, builddata/version.py) read statically: it
/// is tokenized and parsed, never run. Top-level assignments can then be evaluated one at a time,
/// for the subset of Python that site modules use for data (literals, containers, `dict(k=v)`,
/// and paths relative to the module's own file); anything else is an error naming file:line:column.
public struct PythonModule: Sendable {
    /// The module's path, shown in errors and used for `__file__`.
    public let path: String
    private let assignments: [PythonAssignment]
    private let functions: [String: SourcePosition]

    /// Parses `source`, naming `path` in errors; a module that is not valid Python is an error
    /// naming the line and column.
    public init(parsing source: String, path: String) throws {
        self.path = path
        var tokenizer = PythonTokenizer(source, path: path)
        var parser = PythonParser(tokens: try tokenizer.tokenize(), path: path)
        (assignments, functions) = try parser.parseModule()
    }

    /// Reads and parses the module at `url`, or returns nil when no file exists there.
    public init?(contentsOf url: URL) throws {
        guard let text = try TextFile.read(url) else { return nil }
        try self.init(parsing: text, path: url.path)
    }

    /// Names assigned at the top level, in order of their last assignment.
    public var assignedNames: [String] {
        var seen = Set<String>()
        return assignments.reversed().filter { seen.insert($0.name).inserted }.map(\.name).reversed()
    }

    /// True when the module defines `name` with a top-level `def`.
    public func definesFunction(_ name: String) -> Bool { functions[name] != nil }

    /// Where the top-level `def name` is.
    public func functionPosition(_ name: String) -> SourcePosition? { functions[name] }

    /// The last top-level assignment to `name`.
    func assignment(_ name: String) -> PythonAssignment? {
        assignments.last { $0.name == name }
    }

    /// The value of the top-level name `name`, or nil when the module does not assign it.
    public func value(of name: String) throws -> PythonValue? {
        guard let assignment = assignment(name) else { return nil }
        return try evaluate(assignment.value)
    }

    /// An error about the construct at `position` in this module.
    func error(_ message: String, at position: SourcePosition) -> SiteError {
        SiteError(message, file: path, line: position.line, column: position.column)
    }

    private static let cannotRun = "progfig reads site modules without running them"

    /// Evaluates `expression`; anything outside the supported subset is an error naming it.
    func evaluate(_ expression: PythonExpression, depth: Int = 0) throws -> PythonValue {
        guard depth < 200 else { throw error("expression nested too deeply", at: expression.position) }
        let next = depth + 1
        switch expression {
        case .string(let s, _): return .string(s)
        case .integer(let n, _): return .integer(n)
        case .float(let d, _): return .float(d)
        case .list(let items, _): return .list(try items.map { try evaluate($0, depth: next) })
        case .tuple(let items, _): return .tuple(try items.map { try evaluate($0, depth: next) })
        case .dict(let entries, _):
            return Self.dict(try entries.map { (try evaluate($0.key, depth: next), try evaluate($0.value, depth: next)) })
        case .name(let name, let position):
            return try lookup(name, at: position, depth: next)
        case .unsupported(let construct, let position):
            throw error("cannot evaluate \(construct) (\(Self.cannotRun))", at: position)
        case .binary(let op, let left, let right, let position):
            return try binary(op, try evaluate(left, depth: next), try evaluate(right, depth: next), at: position)
        case .attribute(let base, let attribute, let position):
            let value = try evaluate(base, depth: next)
            if attribute == "parent", case .path(let p) = value { return .path(PosixPath.parent(of: p)) }
            if attribute == "name", case .path(let p) = value { return .string(PosixPath.name(of: p)) }
            throw error("cannot evaluate attribute '\(attribute)' (\(Self.cannotRun))", at: position)
        case .call(let function, let arguments, let keywords, let position):
            return try call(function, arguments, keywords, at: position, depth: next)
        }
    }

    private func lookup(_ name: String, at position: SourcePosition, depth: Int) throws -> PythonValue {
        switch name {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        case "__file__": return .string(path)
        default:
            // The last assignment before the use, as running the module top to bottom would see.
            guard let assignment = assignments.last(where: {
                $0.name == name && ($0.position.line, $0.position.column) < (position.line, position.column)
            }) else {
                throw error("cannot evaluate name '\(name)': not assigned earlier at the top level of the module (\(Self.cannotRun))", at: position)
            }
            return try evaluate(assignment.value, depth: depth)
        }
    }

    private func binary(_ op: String, _ left: PythonValue, _ right: PythonValue, at position: SourcePosition) throws -> PythonValue {
        switch (op, left, right) {
        case ("/", .path(let l), .path(let r)), ("/", .path(let l), .string(let r)), ("/", .string(let l), .path(let r)):
            return .path(PosixPath.join(l, r))
        case ("+", .string(let l), .string(let r)):
            return .string(l + r)
        default:
            throw error("cannot evaluate operator '\(op)' on these operands (\(Self.cannotRun))", at: position)
        }
    }

    private func call(_ function: PythonExpression, _ arguments: [PythonExpression], _ keywords: [(name: String, value: PythonExpression)],
                      at position: SourcePosition, depth: Int) throws -> PythonValue {
        // Methods of paths: .as_posix(), .resolve(), .absolute(), .joinpath(...).
        if case .attribute(let base, let method, _) = function, ["as_posix", "resolve", "absolute", "joinpath"].contains(method),
           case .path(let p) = try evaluate(base, depth: depth) {
            let args = try arguments.map { try evaluate($0, depth: depth) }
            switch (method, args.isEmpty && keywords.isEmpty) {
            case ("as_posix", true): return .string(p)
            case ("resolve", true): return .path(PosixPath.resolve(p))
            case ("absolute", true): return .path(PosixPath.absolute(p))
            case ("joinpath", _) where keywords.isEmpty:
                return .path(try args.reduce(p) { try PosixPath.join($0, textOf($1, at: position)) })
            default: break
            }
        }
        let name = function.dottedName ?? ""
        let args = { try arguments.map { try self.evaluate($0, depth: depth) } }
        switch name {
        case "Path", "pathlib.Path", "PurePath", "pathlib.PurePath", "PosixPath", "pathlib.PosixPath",
             "PurePosixPath", "pathlib.PurePosixPath":
            guard keywords.isEmpty else { break }
            return .path(try args().reduce(".") { try PosixPath.join($0, textOf($1, at: position)) })
        case "str":
            guard keywords.isEmpty else { break }
            let values = try args()
            if values.isEmpty { return .string("") }
            if values.count == 1, let text = values[0].text { return .string(text) }
            if values.count == 1, case .integer(let n) = values[0] { return .string(String(n)) }
        case "os.path.join", "path.join", "join":
            guard keywords.isEmpty, !arguments.isEmpty else { break }
            let parts = try args().map { try textOf($0, at: position) }
            return .string(parts.dropFirst().reduce(parts[0]) { PosixPath.joinStrings($0, $1) })
        case "os.path.dirname", "path.dirname", "dirname":
            guard keywords.isEmpty, arguments.count == 1 else { break }
            return .string(PosixPath.dirname(try textOf(try args()[0], at: position)))
        case "os.path.abspath", "path.abspath", "abspath":
            guard keywords.isEmpty, arguments.count == 1 else { break }
            return .string(PosixPath.absolute(try textOf(try args()[0], at: position)))
        case "dict":
            guard arguments.count <= 1 else { break }
            var entries: [(PythonValue, PythonValue)] = []
            if let first = try args().first {
                guard case .dict(let existing) = first else { break }
                entries = existing.map { ($0.key, $0.value) }
            }
            for keyword in keywords { entries.append((.string(keyword.name), try evaluate(keyword.value, depth: depth))) }
            return Self.dict(entries)
        case "list", "tuple":
            guard keywords.isEmpty, arguments.count <= 1 else { break }
            var items: [PythonValue] = []
            if let first = try args().first {
                switch first {
                case .list(let l), .tuple(let l): items = l
                default: throw error("cannot evaluate \(name)() of this value (\(Self.cannotRun))", at: position)
                }
            }
            return name == "list" ? .list(items) : .tuple(items)
        default:
            break
        }
        throw error("cannot evaluate a call to \(name.isEmpty ? "this expression" : "'\(name)'") (\(Self.cannotRun))", at: position)
    }

    private func textOf(_ value: PythonValue, at position: SourcePosition) throws -> String {
        guard let text = value.text else {
            throw error("expected a string or path here (\(Self.cannotRun))", at: position)
        }
        return text
    }

    private static func dict(_ pairs: [(PythonValue, PythonValue)]) -> PythonValue {
        var entries: [PythonDictEntry] = []
        // String keys (all that sites use) are found by hash; other keys by comparison.
        var stringIndex: [String: Int] = [:]
        for (key, value) in pairs {
            let existing: Int?
            if case .string(let s) = key { existing = stringIndex[s] } else { existing = entries.firstIndex { $0.key == key } }
            if let i = existing {
                entries[i] = PythonDictEntry(key: key, value: value)
            } else {
                if case .string(let s) = key { stringIndex[s] = entries.count }
                entries.append(PythonDictEntry(key: key, value: value))
            }
        }
        return .dict(entries)
    }

    /// The keyword arguments (and positional ones, named by `positions` for the called function's
    /// last name component) of the top-level call assigned to `name`, unevaluated, with the called
    /// name; nil when `name` is not assigned.
    func callArguments(of name: String, positions: [String: [String]]) throws -> CallArguments? {
        guard let assignment = assignment(name) else { return nil }
        guard case .call(let function, let arguments, let keywords, let position) = assignment.value else {
            return CallArguments(function: nil, arguments: [:], position: assignment.value.position, module: self)
        }
        let last = function.dottedName.map { String($0.split(separator: ".").last ?? "") } ?? ""
        let positions = positions[last] ?? []
        var named: [String: PythonExpression] = [:]
        for (index, argument) in arguments.enumerated() where !positions.isEmpty {
            guard index < positions.count else {
                throw error("too many positional arguments", at: argument.position)
            }
            named[positions[index]] = argument
        }
        for keyword in keywords { named[keyword.name] = keyword.value }
        return CallArguments(function: function.dottedName, arguments: named, position: position, module: self)
    }
}

/// The arguments of a call such as `InventoryNode(address=..., sitedata=...)`, evaluated one by
/// one on demand, so that arguments no command needs are never evaluated.
struct CallArguments {
    /// The called name (`InventoryNode`, `siteversion.mint_version_factory_from_epoch`), nil when
    /// the assigned value is not a call.
    let function: String?
    let arguments: [String: PythonExpression]
    let position: SourcePosition
    let module: PythonModule

    /// The last component of the called name.
    var functionName: String? { function.map { String($0.split(separator: ".").last ?? Substring($0)) } }

    /// The evaluated argument `name`, or nil when the call does not pass it.
    func value(_ name: String) throws -> PythonValue? {
        try arguments[name].map { try module.evaluate($0) }
    }

    /// Where argument `name` starts, else the call.
    func position(of name: String) -> SourcePosition { arguments[name]?.position ?? position }
}

/// pathlib's and os.path's string rules for POSIX paths.
enum PosixPath {
    /// pathlib's normal form: repeated and trailing slashes and "." components dropped.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        let parts = path.split(separator: "/").filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `Path(left) / right`.
    static func join(_ left: String, _ right: String) -> String {
        right.hasPrefix("/") ? normalize(right) : normalize(left + "/" + right)
    }

    /// `os.path.join(left, right)`.
    static func joinStrings(_ left: String, _ right: String) -> String {
        if right.hasPrefix("/") || left.isEmpty { return right }
        return left.hasSuffix("/") ? left + right : left + "/" + right
    }

    /// `Path(path).parent`.
    static func parent(of path: String) -> String {
        let normal = normalize(path)
        if normal == "/" || normal == "." { return normal }
        guard let slash = normal.lastIndex(of: "/") else { return "." }
        return slash == normal.startIndex ? "/" : String(normal[..<slash])
    }

    /// `Path(path).name`.
    static func name(of path: String) -> String {
        let normal = normalize(path)
        if normal == "/" || normal == "." { return "" }
        return normal.split(separator: "/").last.map(String.init) ?? ""
    }

    /// `os.path.dirname(path)`.
    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        var head = String(path[...slash])
        if head != String(repeating: "/", count: head.count) {
            while head.hasSuffix("/") { head.removeLast() }
        }
        return head
    }

    /// `Path(path).absolute()`: joined to the current directory when relative.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? normalize(path) : join(FileManager.default.currentDirectoryPath, path)
    }

    /// `Path(path).resolve()`: absolute, with symbolic links and ".." resolved.
    static func resolve(_ path: String) -> String {
        URL(fileURLWithPath: absolute(path)).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
