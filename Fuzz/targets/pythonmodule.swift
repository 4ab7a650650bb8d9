// Fuzz target "pythonmodule": the static Python reader (tokenizer, parser, evaluator) on site
// module text, as inventory.py, nodes/NAME.py and builddata/version.py are read: every assigned
// name is evaluated, and the text is read as a node module. Any thrown SiteError is fine; a crash,
// a hang or an error without a file is not.
import Foundation
import ProgfigSecrets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let module: PythonModule
    do { module = try PythonModule(parsing: text, path: "/site/pkg/nodes/fuzz.py") } catch let error as SiteError {
        precondition(error.file != nil && error.line != nil, "a syntax error must name the file and line: \(error)")
        return 0
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
    for name in module.assignedNames {
        do { _ = try module.value(of: name) } catch let error as SiteError {
            precondition(error.file != nil && error.line != nil, "an evaluation error must name the file and line: \(error)")
        } catch {
            preconditionFailure("unexpected error type: \(error)")
        }
    }
    _ = try? NodeData(node: "fuzz", module: module)
    return 0
}
