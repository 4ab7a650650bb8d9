import ArgumentParser
import ProgfigSecrets
import SecureIO

/// The `progfig` command: manages a progfiguration site's inventory and secrets.
@main
struct Progfig: AsyncParsableCommand {
    /// The version `progfig --version` prints.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "progfig",
        abstract: "Manage a progfiguration site's inventory and its age-encrypted secrets.",
        discussion: """
            progfig works on a progfiguration site: the inventory of nodes and groups, their \
            node data, and the secrets stored with them, encrypted with age. It implements the \
            age v1 file format itself, so no age binary is needed, and files it writes can be \
            read by age and rage and vice versa.

            Create a key and encrypt a file to it:

              progfig keygen -o key.txt
              progfig age -r "$(progfig keygen -y key.txt)" -o notes.age notes.txt
              progfig age -d -i key.txt notes.age

            The site commands (list, info, secret, validate, version) find the site from \
            --site DIR, else $PROGFIG_SITE, else the nearest site upward (a project root with \
            pyproject.toml and src/NAME/ or NAME/, a site package directory, or a directory with \
            inventory.conf), and take the global options --site, --age-key, \
            --secret-store-arguments, -v, -q and --no-progress before, between or after the subcommand \
            names:

              progfig --site ~/mysite secret decrypt -n web1
              progfig secret decrypt -n web1 --site ~/mysite

            Run 'progfig help SUBCOMMAND' or 'progfig SUBCOMMAND --help' for details.
            """,
        version: version,
        subcommands: [
            ListCommand.self, InfoCommand.self, SecretCommand.self, ValidateCommand.self,
            VersionCommand.self, InitCommand.self, KeygenCommand.self, AgeCommand.self,
        ]
    )

    /// Parses the command line and runs the chosen subcommand; every failure, including usage
    /// errors and help requests, goes through `ErrorReporter`.
    static func main() async {
        InterruptCleanup.installHandlers()
        do {
            let arguments = GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst()), root: Progfig.self)
            // 'age' takes an INPUT argument, so 'age inspect' can't be an ArgumentParser
            // subcommand of it (the parent would parse the child's arguments as its own).
            // 'progfig help age inspect' is its --help.
            let inspectArguments = arguments.starts(with: ["help"] + AgeInspectCommand.path) ? ["--help"]
                : arguments.starts(with: AgeInspectCommand.path) ? Array(arguments.dropFirst(2)) : nil
            if let inspectArguments {
                var command = try AgeInspectCommand.parseAsRoot(inspectArguments)
                try command.run()
                return
            }
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            ErrorReporter.exit(with: error)
        }
    }
}
