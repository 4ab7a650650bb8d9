import ArgumentParser
import Foundation
import ProgfigSecrets

/// `progfig init DIR`: a new site in the original's layout and a fresh controller key.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new site in progfiguration's layout: pyproject.toml, src/NAME/ with inventory.py, inventory.conf, nodes/, groups/, builddata/, and a controller key.",
        discussion: """
            NAME is DIR's last component and must be a Python package name. Node data goes in \
            src/NAME/nodes/NODE.py. The controller key decrypts every secret of the site, so by \
            default it is written outside the site, as DIR/../NAME.controller.age (mode 0600), \
            and inventory.conf names it by its absolute path. Nothing existing is ever overwritten.

            With --pq the controller key is post-quantum (ML-KEM-768 with X25519, as \
            `progfig keygen --pq`); the site's nodes then need post-quantum keys too, since a \
            secret is never encrypted to a mix of post-quantum and classic keys.

              progfig init mysite
              progfig init mysite --controller-key ~/.config/progfig/mysite.age
              progfig init mysite --pq
            """)

    @Argument(help: "The project directory of the new site (created if missing).")
    var directory: String

    @Option(name: .customLong("controller-key"), help: ArgumentHelp("Where to write the controller key.", valueName: "PATH"))
    var controllerKey: String?

    @Flag(name: .customLong("pq"), help: "Make the controller key post-quantum (ML-KEM-768 + X25519).")
    var postQuantum = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let created = try SiteCreator.create(
            root: URL(fileURLWithPath: directory, relativeTo: cwd),
            controllerKey: controllerKey.map { URL(fileURLWithPath: $0, relativeTo: cwd) },
            postQuantum: postQuantum)
        if !quiet {
            Output.note("created site \(created.layout.package.lastPathComponent) at \(created.layout.package.path)")
            Output.note("controller key: \(created.controllerKey.path) (keep it secret; it decrypts every secret of the site)")
        }
    }
}
