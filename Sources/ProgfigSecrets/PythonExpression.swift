/// A Python expression as `PythonParser` reads it: the subset site modules use is kept in full;
/// anything else is kept only as an `unsupported` node naming the construct and where it starts,
/// an error if and when a command needs its value.
indirect enum PythonExpression: Sendable {
    case string(String, SourcePosition)
    case integer(Int, SourcePosition)
    case float(Double, SourcePosition)
    case name(String, SourcePosition)
    case list([PythonExpression], SourcePosition)
    case tuple([PythonExpression], SourcePosition)
    case dict([(key: PythonExpression, value: PythonExpression)], SourcePosition)
    case attribute(PythonExpression, String, SourcePosition)
    case call(PythonExpression, arguments: [PythonExpression], keywords: [(name: String, value: PythonExpression)], SourcePosition)
    case binary(String, PythonExpression, PythonExpression, SourcePosition)
    /// A construct progfig does not evaluate: its name ("conditional expression") and start.
    case unsupported(String, SourcePosition)

    /// Where the expression starts.
    var position: SourcePosition {
        switch self {
        case .string(_, let p), .integer(_, let p), .float(_, let p), .name(_, let p), .list(_, let p),
             .tuple(_, let p), .dict(_, let p), .attribute(_, _, let p), .call(_, _, _, let p),
             .binary(_, _, _, let p), .unsupported(_, let p):
            return p
        }
    }

    /// The dotted name of a name or attribute chain (`siteversion.mint_version_factory_from_epoch`),
    /// else nil.
    var dottedName: String? {
        switch self {
        case .name(let n, _): return n
        case .attribute(let base, let attribute, _): return base.dottedName.map { $0 + "." + attribute }
        default: return nil
        }
    }
}

/// One top-level assignment `NAME = value` of a module.
struct PythonAssignment: Sendable {
    let name: String
    let value: PythonExpression
    let position: SourcePosition
}

/// Parses a tokenized Python module's top-level statements: assignments to plain names are kept
/// with their expressions; imports, expression statements, other assignments and the bodies of
/// compound statements (`def`, `class`, `if`, ...) are parsed past; `def` names are recorded.
struct PythonParser {
    private let tokens: [PythonToken]
    private let path: String
    private var index = 0
    /// How deeply expressions nest right now; bounded so that no input exhausts the stack.
    private var depth = 0

    init(tokens: [PythonToken], path: String) {
        self.tokens = tokens
        self.path = path
    }

    private static let compoundKeywords: Set<String> = [
        "def", "class", "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "async",
    ]
    private static let simpleKeywords: Set<String> = [
        "import", "from", "pass", "return", "raise", "del", "global", "nonlocal", "assert", "break", "continue", "yield",
    ]
    private static let keywords: Set<String> = compoundKeywords.union(simpleKeywords).union([
        "and", "or", "not", "in", "is", "lambda", "await", "True", "False", "None", "as",
    ])

    private var current: PythonToken { tokens[index] }

    private func error(_ message: String, at position: SourcePosition) -> SiteError {
        SiteError(message, file: path, line: position.line, column: position.column)
    }

    private func isOp(_ op: String) -> Bool { current.kind == .op(op) }
    private func isName(_ name: String) -> Bool { current.kind == .name(name) }

    private mutating func expect(_ op: String) throws {
        guard isOp(op) else { throw error("invalid syntax: expected '\(op)'", at: current.position) }
        index += 1
    }

    /// The module's top-level assignments in order, and the names of its top-level functions.
    mutating func parseModule() throws -> (assignments: [PythonAssignment], functions: [String: SourcePosition]) {
        var assignments: [PythonAssignment] = []
        var functions: [String: SourcePosition] = [:]
        var bodyMayFollow = false
        while current.kind != .end {
            let first = current
            guard let indent = first.lineIndent else {
                throw error("invalid syntax", at: first.position)
            }
            if indent > 0 {
                guard bodyMayFollow else { throw error("unexpected indent", at: first.position) }
                skipLine()
                continue
            }
            bodyMayFollow = false
            if case .name(let keyword) = first.kind, Self.compoundKeywords.contains(keyword) {
                if keyword == "def" || (keyword == "async" && tokens[index + 1].kind == .name("def")) {
                    let nameToken = tokens[index + (keyword == "async" ? 2 : 1)]
                    if case .name(let name) = nameToken.kind { functions[name] = first.position }
                }
                bodyMayFollow = true
                skipLine()
                continue
            }
            if isOp("@") { bodyMayFollow = true; skipLine(); continue }
            try parseSimpleStatements(into: &assignments)
        }
        return (assignments, functions)
    }

    /// Skips to the token after the end of the current logical line.
    private mutating func skipLine() {
        while current.kind != .newline && current.kind != .end { index += 1 }
        if current.kind == .newline { index += 1 }
    }

    /// One logical line of simple statements separated by ';'.
    private mutating func parseSimpleStatements(into assignments: inout [PythonAssignment]) throws {
        while true {
            if case .name(let keyword) = current.kind, Self.simpleKeywords.contains(keyword) {
                while current.kind != .newline && !isOp(";") { index += 1 }
            } else {
                try parseExpressionStatement(into: &assignments)
            }
            if isOp(";") {
                index += 1
                if current.kind == .newline { break }
                continue
            }
            break
        }
        guard current.kind == .newline else { throw error("invalid syntax", at: current.position) }
        index += 1
    }

    /// An expression statement or an assignment (`a = b = value`, `a: T = value`, `a += value`).
    private mutating func parseExpressionStatement(into assignments: inout [PythonAssignment]) throws {
        var targets: [PythonExpression] = [try parseExpressionList()]
        if isOp(":") {
            index += 1
            _ = try parseExpression()
            guard isOp("=") else { return }
        }
        if case .op(let op) = current.kind, op.count >= 2, op.hasSuffix("="), !["==", "<=", ">=", "!="].contains(op) {
            index += 1
            _ = try parseExpressionList()
            return
        }
        var value = targets[0]
        while isOp("=") {
            index += 1
            value = try parseExpressionList()
            targets.append(value)
        }
        for target in targets.dropLast() {
            if case .name(let name, let position) = target {
                assignments.append(PythonAssignment(name: name, value: value, position: position))
            }
        }
    }

    /// An expression, or a bare tuple `a, b`.
    private mutating func parseExpressionList() throws -> PythonExpression {
        let start = current.position
        let first = try parseExpression(allowStar: true)
        guard isOp(",") else { return first }
        var items = [first]
        while isOp(",") {
            index += 1
            if atExpressionEnd { break }
            items.append(try parseExpression(allowStar: true))
        }
        return .tuple(items, start)
    }

    private var atExpressionEnd: Bool {
        switch current.kind {
        case .newline, .end: return true
        case .op(let op): return [")", "]", "}", "=", ";", ":"].contains(op)
        default: return false
        }
    }

    /// Skips the rest of the innermost bracket (or of the line, at the top level) and returns an
    /// `unsupported` node for `construct` at `start`.
    private mutating func skipEnclosing(_ construct: String, from start: SourcePosition, stopAtComma: Bool = true) -> PythonExpression {
        var depth = 0
        while true {
            switch current.kind {
            case .end, .newline: return .unsupported(construct, start)
            case .op(let op) where ["(", "[", "{"].contains(op): depth += 1
            case .op(let op) where [")", "]", "}"].contains(op):
                if depth == 0 { return .unsupported(construct, start) }
                depth -= 1
            case .op(",") where depth == 0 && stopAtComma: return .unsupported(construct, start)
            default: break
            }
            index += 1
        }
    }

    /// A full expression: lambda, conditional expression and the operators, by precedence.
    mutating func parseExpression(allowStar: Bool = false) throws -> PythonExpression {
        let start = current.position
        depth += 1
        defer { depth -= 1 }
        guard depth <= 400 else { throw error("expression nested too deeply", at: start) }
        if isName("lambda") { return skipEnclosing("lambda", from: start) }
        if isName("yield") { return skipEnclosing("yield expression", from: start) }
        if isOp("*") || isOp("**") {
            index += 1
            _ = try parseExpression()
            return .unsupported("starred expression", start)
        }
        var expression = try parseBinary(minimumPrecedence: 1)
        if isOp(":=") {
            index += 1
            _ = try parseExpression()
            expression = .unsupported("assignment expression ':='", start)
        }
        if isName("if") {
            index += 1
            _ = try parseBinary(minimumPrecedence: 1)
            guard isName("else") else { throw error("invalid syntax: expected 'else' after 'if' expression", at: current.position) }
            index += 1
            _ = try parseExpression()
            return .unsupported("conditional expression", start)
        }
        return expression
    }

    /// The binary operator at the current token with its precedence, consuming nothing.
    private func binaryOperator() -> (String, Int, width: Int)? {
        switch current.kind {
        case .name("or"): return ("or", 1, 1)
        case .name("and"): return ("and", 2, 1)
        case .name("in"), .name("is"): 
            if case .name("is") = current.kind, tokens[index + 1].kind == .name("not") { return ("is not", 4, 2) }
            if case .name(let n) = current.kind { return (n, 4, 1) }
            return nil
        case .name("not") where tokens[index + 1].kind == .name("in"): return ("not in", 4, 2)
        case .op(let op):
            switch op {
            case "<", ">", "==", ">=", "<=", "!=": return (op, 4, 1)
            case "|": return (op, 5, 1)
            case "^": return (op, 6, 1)
            case "&": return (op, 7, 1)
            case "<<", ">>": return (op, 8, 1)
            case "+", "-": return (op, 9, 1)
            case "*", "/", "//", "%", "@": return (op, 10, 1)
            case "**": return (op, 12, 1)
            default: return nil
            }
        default: return nil
        }
    }

    private mutating func parseBinary(minimumPrecedence: Int) throws -> PythonExpression {
        var left = try parseUnary()
        while let (op, precedence, width) = binaryOperator(), precedence >= minimumPrecedence {
            let at = current.position
            index += width
            // '**' is right-associative; the others left.
            let right = op == "**" ? try parseUnary() : try parseBinary(minimumPrecedence: precedence + 1)
            left = .binary(op, left, right, at)
        }
        return left
    }

    private mutating func parseUnary() throws -> PythonExpression {
        let start = current.position
        depth += 1
        defer { depth -= 1 }
        guard depth <= 400 else { throw error("expression nested too deeply", at: start) }
        if isName("not") {
            index += 1
            _ = try parseBinary(minimumPrecedence: 3)
            return .unsupported("'not' expression", start)
        }
        if isName("await") {
            index += 1
            _ = try parseUnary()
            return .unsupported("await expression", start)
        }
        if isOp("-") || isOp("+") || isOp("~") {
            let op = current.kind
            index += 1
            let operand = try parseUnary()
            switch (op, operand) {
            case (.op("-"), .integer(let n, _)) where n != Int.min: return .integer(-n, start)
            case (.op("-"), .float(let d, _)): return .float(-d, start)
            case (.op("+"), .integer), (.op("+"), .float): return operand
            default: return .unsupported("unary operator", start)
            }
        }
        return try parsePostfix()
    }

    private mutating func parsePostfix() throws -> PythonExpression {
        var expression = try parseAtom()
        while true {
            let at = current.position
            if isOp(".") {
                index += 1
                guard case .name(let attribute) = current.kind else {
                    throw error("invalid syntax: expected a name after '.'", at: current.position)
                }
                index += 1
                expression = .attribute(expression, attribute, at)
            } else if isOp("(") {
                index += 1
                expression = try parseCall(expression, at: expression.position)
            } else if isOp("[") {
                index += 1
                _ = skipEnclosing("subscript", from: at)
                while !isOp("]") { index += 1; _ = skipEnclosing("subscript", from: at) }
                index += 1
                expression = .unsupported("subscript", expression.position)
            } else {
                return expression
            }
        }
    }

    /// The arguments of a call whose '(' was just consumed.
    private mutating func parseCall(_ function: PythonExpression, at start: SourcePosition) throws -> PythonExpression {
        var arguments: [PythonExpression] = []
        var keywords: [(name: String, value: PythonExpression)] = []
        var unsupported: PythonExpression?
        while !isOp(")") {
            if case .name(let name) = current.kind, tokens[index + 1].kind == .op("="), !Self.keywords.contains(name) {
                index += 2
                keywords.append((name, try parseExpression()))
            } else {
                let argument = try parseExpression(allowStar: true)
                if isName("for") {
                    unsupported = skipEnclosing("generator expression", from: argument.position, stopAtComma: false)
                    break
                }
                if case .unsupported("starred expression", _) = argument { unsupported = argument }
                arguments.append(argument)
            }
            if isOp(",") { index += 1 } else { break }
        }
        try expect(")")
        return unsupported ?? .call(function, arguments: arguments, keywords: keywords, start)
    }

    private mutating func parseAtom() throws -> PythonExpression {
        let token = current
        let start = token.position
        switch token.kind {
        case .name(let name):
            if Self.keywords.contains(name) && !["True", "False", "None"].contains(name) {
                throw error("invalid syntax: unexpected '\(name)'", at: start)
            }
            index += 1
            return .name(name, start)
        case .number(let text):
            index += 1
            return Self.number(text, at: start)
        case .string:
            return try parseStrings()
        case .op("("):
            index += 1
            if isOp(")") { index += 1; return .tuple([], start) }
            let first = try parseExpression(allowStar: true)
            if isName("for") { let u = skipEnclosing("generator expression", from: start, stopAtComma: false); try expect(")"); return u }
            if isOp(")") { index += 1; return first }
            var items = [first]
            while isOp(",") {
                index += 1
                if isOp(")") { break }
                items.append(try parseExpression(allowStar: true))
            }
            try expect(")")
            return .tuple(items, start)
        case .op("["):
            index += 1
            var items: [PythonExpression] = []
            while !isOp("]") {
                items.append(try parseExpression(allowStar: true))
                if isName("for") { let u = skipEnclosing("list comprehension", from: start, stopAtComma: false); try expect("]"); return u }
                if isOp(",") { index += 1 } else { break }
            }
            try expect("]")
            return .list(items, start)
        case .op("{"):
            index += 1
            return try parseBraces(at: start)
        case .op("..."):
            index += 1
            return .unsupported("Ellipsis", start)
        case .newline, .end:
            throw error("invalid syntax: expected an expression", at: start)
        case .op(let op):
            throw error("invalid syntax: unexpected '\(op)'", at: start)
        }
    }

    /// A dict, set or comprehension whose '{' was just consumed.
    private mutating func parseBraces(at start: SourcePosition) throws -> PythonExpression {
        var entries: [(key: PythonExpression, value: PythonExpression)] = []
        var isSet = false
        while !isOp("}") {
            if isOp("**") {
                index += 1
                _ = try parseBinary(minimumPrecedence: 1)
                _ = skipEnclosing("dict unpacking '**'", from: start)
                try expect("}")
                return .unsupported("dict unpacking '**'", start)
            }
            let key = try parseExpression(allowStar: true)
            if isOp(":") {
                index += 1
                entries.append((key, try parseExpression()))
            } else {
                isSet = true
            }
            if isName("for") {
                let u = skipEnclosing(isSet ? "set comprehension" : "dict comprehension", from: start, stopAtComma: false)
                try expect("}")
                return u
            }
            if isOp(",") { index += 1 } else { break }
        }
        try expect("}")
        return isSet ? .unsupported("set", start) : .dict(entries, start)
    }

    /// Adjacent string literals, concatenated as Python does.
    private mutating func parseStrings() throws -> PythonExpression {
        let start = current.position
        var text = ""
        var sawBytes: Bool?
        var unsupported: String?
        while case .string(let value, let bytes, let fields) = current.kind {
            if let sawBytes, sawBytes != bytes {
                throw error("cannot mix bytes and nonbytes literals", at: current.position)
            }
            sawBytes = bytes
            if fields { unsupported = unsupported ?? "f-string with replacement fields" }
            if bytes { unsupported = unsupported ?? "bytes literal" }
            text += value
            index += 1
        }
        if let unsupported { return .unsupported(unsupported, start) }
        return .string(text, start)
    }

    /// A numeric literal: an integer when it fits, a float, or unsupported (imaginary, too large).
    private static func number(_ text: String, at position: SourcePosition) -> PythonExpression {
        let lower = text.lowercased()
        if lower.hasSuffix("j") { return .unsupported("complex number", position) }
        let radix: Int? = lower.hasPrefix("0x") ? 16 : lower.hasPrefix("0o") ? 8 : lower.hasPrefix("0b") ? 2 : nil
        if let radix {
            if let n = Int(lower.dropFirst(2), radix: radix) { return .integer(n, position) }
            return .unsupported(lower.count > 2 ? "integer too large" : "number literal", position)
        }
        if lower.allSatisfy(\.isNumber) {
            if lower.count > 1 && lower.hasPrefix("0") && lower.contains(where: { $0 != "0" }) {
                return .unsupported("number literal with a leading zero", position)
            }
            if let n = Int(lower) { return .integer(n, position) }
            return .unsupported("integer too large", position)
        }
        if let d = Double(lower) { return .float(d, position) }
        return .unsupported("number literal", position)
    }
}
