import ArgumentParser

/// Options shared by the site commands; include them with `@OptionGroup var global: GlobalOptions`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The site: a project root (pyproject.toml with src/NAME/ or NAME/), a site package directory, or a directory with inventory.conf (default: $PROGFIG_SITE, else the nearest such directory upward from the current one).", valueName: "DIR"))
    var site: String?

    @Option(name: .customLong("age-key"), help: ArgumentHelp(
        "An age identity file to decrypt site secrets with. Can be repeated.", valueName: "PATH"))
    var ageKeys: [String] = []

    @Option(name: .customLong("secret-store-arguments"), help: ArgumentHelp(
        "Settings for the site's secret store, as KEY=VALUE pairs separated by commas.",
        valueName: "k=v[,k=v]"))
    var secretStoreArguments: KeyValueList?

    @Flag(name: .shortAndLong, help: "Print more about what progfig does.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .customLong("no-progress"), help: "Show no progress bar (one is shown on a terminal for long work).")
    var noProgress = false

    /// True when progress bars must not be shown (-q or --no-progress).
    var hidesProgress: Bool { quiet || noProgress }

    func validate() throws {
        if verbose && quiet {
            throw ValidationError("-v/--verbose can't be used with -q/--quiet")
        }
    }
}

extension GlobalOptions {
    /// Options taking a value, and flags, that may also be written before or between subcommand names.
    private static let valued: Set<String> = ["--site", "--age-key", "--secret-store-arguments"]
    private static let flags: Set<String> = ["-v", "--verbose", "-q", "--quiet", "--no-progress"]

    /// Moves global options written before or between the subcommand names (`progfig --site DIR
    /// list nodes`, `progfig secret --site DIR list`) to just after the whole subcommand path,
    /// where the subcommand's `@OptionGroup` parses them.
    static func hoisted(_ arguments: [String], root: ParsableCommand.Type) -> [String] {
        var path: [String] = []
        var globals: [String] = []
        var command = root
        var i = 0
        while true {
            i = collectGlobals(arguments, from: i, into: &globals)
            guard i < arguments.count,
                  let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == arguments[i] }) else { break }
            path.append(arguments[i])
            command = sub
            i += 1
        }
        return path + globals + arguments[i...]
    }

    /// Appends the global options starting at `start` to `globals`; returns the index after them.
    private static func collectGlobals(_ arguments: [String], from start: Int, into globals: inout [String]) -> Int {
        var i = start
        while i < arguments.count {
            let argument = arguments[i]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if flags.contains(argument) {
                globals.append(argument)
                i += 1
            } else if valued.contains(name) {
                globals.append(argument)
                if name == argument && i + 1 < arguments.count { globals.append(arguments[i + 1]); i += 1 }
                i += 1
            } else {
                break
            }
        }
        return i
    }
}

/// `KEY=VALUE[,KEY=VALUE…]` from the command line: keys non-empty and unique, values may be empty.
struct KeyValueList: ExpressibleByArgument, Equatable {
    /// The pairs, by key.
    let values: [String: String]

    init?(argument: String) {
        var values: [String: String] = [:]
        for pair in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else { return nil }
            let key = String(pair[..<equals])
            guard values[key] == nil else { return nil }
            values[key] = String(pair[pair.index(after: equals)...])
        }
        self.values = values
    }
}
