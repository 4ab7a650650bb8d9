import AgeFormat
import ArgumentParser
import Foundation
import ProgfigSecrets
import SecureIO

/// The one place where errors become output and an exit status: help and `--version` go to
/// standard output with status 0; usage errors are one line on standard error with status 64;
/// every other failure is one line `progfig: error: MESSAGE` with status 1.
enum ErrorReporter {
    /// The exit status of a failed command.
    static let failureStatus: Int32 = 1
    /// The exit status of a usage error (EX_USAGE).
    static let usageStatus: Int32 = 64

    /// Reports `error` and exits the process.
    static func exit(with error: Error) -> Never {
        switch error {
        case let error as CLIError: fail(error.description)
        case let error as AgeError: fail(error.message)
        case let error as SiteError: fail(error.description)
        case let error as IOFailure: fail(error.description)
        case let error as ExitCode: Foundation.exit(error.rawValue)
        default: break
        }
        let arguments = CommandLine.arguments.dropFirst()
        let inspecting = arguments.starts(with: AgeInspectCommand.path) || arguments.starts(with: ["help"] + AgeInspectCommand.path)
        let root: ParsableCommand.Type = inspecting ? AgeInspectCommand.self : Progfig.self
        let code = root.exitCode(for: error)
        if code.isSuccess {
            print(root.fullMessage(for: error))
            Foundation.exit(0)
        }
        if code == .validationFailure {
            let message = root.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            printError("\(message) (see '\(helpCommand(for: CommandLine.arguments.dropFirst())) --help')")
            Foundation.exit(usageStatus)
        }
        fail(String(describing: error))
    }

    /// Prints `progfig: error: MESSAGE` and exits with the failure status.
    private static func fail(_ message: String) -> Never {
        printError(message)
        Foundation.exit(failureStatus)
    }

    private static func printError(_ message: String) {
        Output.standardError("progfig: error: \(message)\n")
    }

    /// `progfig` followed by the subcommand names at the start of `arguments`, for a usage hint.
    private static func helpCommand(for arguments: ArraySlice<String>) -> String {
        if arguments.starts(with: AgeInspectCommand.path) { return "progfig age inspect" }
        var names = ["progfig"]
        var command: ParsableCommand.Type = Progfig.self
        for argument in arguments {
            guard let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == argument }) else { break }
            names.append(argument)
            command = sub
        }
        return names.joined(separator: " ")
    }
}
