import ArgumentParser

/// Options shared by the site commands; include them with `@OptionGroup var global: GlobalOptions`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The progfiguration site directory (default: the current directory).", valueName: "DIR"))
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

    func validate() throws {
        if verbose && quiet {
            throw ValidationError("-v/--verbose can't be used with -q/--quiet")
        }
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
