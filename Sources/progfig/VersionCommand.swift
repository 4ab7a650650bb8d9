import ArgumentParser
import Foundation
import ProgfigSecrets

/// `progfig version` and `progfig version mint`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Show progfig's and the site's versions, or mint a new site version.",
        subcommands: [VersionShowCommand.self, VersionMintCommand.self],
        defaultSubcommand: VersionShowCommand.self)
}

/// `progfig version [show]`.
struct VersionShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show progfig's version and the site's name, path and current version.",
        discussion: "The site's current version is `version` in builddata/version.py, when a build wrote it.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Output.line("progfig \(Progfig.version)")
        let site = try SiteContext(global).site
        try Output.line("site: \(site.name)")
        try Output.line("path: \(site.root.path)")
        try Output.line("version: \(try site.currentVersion() ?? "(none: no builddata/version.py)")")
    }
}

/// `progfig version mint`.
struct VersionMintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint",
        abstract: "Print a new version for the site's next build, from its [version] rule.",
        discussion: """
            inventory.py's mint_version = siteversion.mint_version_factory_from_epoch(major=, \
            minor=) gives MAJOR.MINOR.EPOCH (UTC seconds); a hand-written def mint_version() \
            cannot be run. A site without inventory.py takes the rule from inventory.conf's \
            [version] section: 'major' and 'minor' (1.0 by default), or 'env = NAME' to take the \
            version from that environment variable (set by CI). Every version is checked to be \
            a valid PEP 440 (pip) version.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let site = try SiteContext(global).site
        try Output.line(try site.inventory.versionRule().minter()())
    }
}
