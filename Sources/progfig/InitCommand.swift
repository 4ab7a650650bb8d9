import AgeFormat
import ArgumentParser
import Foundation
import ProgfigSecrets

/// `progfig init DIR`: a new site with a commented inventory.conf and a fresh controller key.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new site: inventory.conf, nodes/, groups/ and a controller key.",
        discussion: """
            The controller key decrypts every secret of the site, so by default it is written \
            outside the site directory, as DIR/../NAME.controller.age (mode 0600), where it \
            won't be committed with the site. Nothing existing is ever overwritten.

              progfig init mysite
              progfig init mysite --controller-key ~/.config/progfig/mysite.age
            """)

    @Argument(help: "The directory of the new site (created if missing).")
    var directory: String

    @Option(name: .customLong("controller-key"), help: ArgumentHelp("Where to write the controller key.", valueName: "PATH"))
    var controllerKey: String?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let root = URL(fileURLWithPath: directory, relativeTo: cwd).standardizedFileURL
        let name = root.lastPathComponent
        let inventory = root.appendingPathComponent(Site.inventoryFileName)
        if FileManager.default.fileExists(atPath: inventory.path) {
            throw CLIError("a site already exists here; init never overwrites", file: inventory.path)
        }
        let keyURL: URL
        let keySetting: String
        if let controllerKey {
            keyURL = URL(fileURLWithPath: controllerKey, relativeTo: cwd).standardizedFileURL
            keySetting = keyURL.path
        } else {
            keyURL = root.deletingLastPathComponent().appendingPathComponent("\(name).controller.age")
            keySetting = "../\(name).controller.age"
        }
        if FileManager.default.fileExists(atPath: keyURL.path) {
            throw CLIError("a key already exists here; init never overwrites keys", file: keyURL.path)
        }
        for sub in ["nodes", "groups"] {
            try SiteFiles.createDirectory(root.appendingPathComponent(sub))
        }
        var keyFile = KeygenFile.generate()
        defer { keyFile.wipe() }
        try SiteFiles.createDirectory(keyURL.deletingLastPathComponent())
        try AtomicFile.write(keyFile.contents, to: keyURL, mode: 0o600, overwrite: false)
        let text = Self.inventoryTemplate(controllerKeyPath: keySetting, controllerPublicKey: keyFile.recipient)
        do {
            try AtomicFile.write(Array(text.utf8), to: inventory, mode: 0o644, overwrite: false)
        } catch {
            // Unless this inventory.conf is in place after all (the write failed after it
            // appeared, say in the directory's fsync), the key just written belongs to no site:
            // remove it, so that init can be run again.
            if (try? SiteFiles.read(inventory)) != Array(text.utf8) { unlink(keyURL.path) }
            throw error
        }
        if !quiet {
            Output.note("created site \(name) at \(root.path)")
            Output.note("controller key: \(keyURL.path) (keep it secret; it decrypts every secret of the site)")
        }
    }

    /// A commented inventory.conf in the layout of progfiguration's documented example.
    static func inventoryTemplate(controllerKeyPath: String, controllerPublicKey: String) -> String {
        """
        [secrets]
        # The controller has an age key which can be used to decrypt any secret.
        # When this file is not present, progfig still works,
        # but activities that require the secret key fail with an error.
        controller_age_path = \(controllerKeyPath)

        # The public key is kept here as well,
        # so that it is available even when we aren't running on the controller.
        controller_age_pub = \(controllerPublicKey)

        # The default/fallback location for the age key on each node.
        node_fallback_age_path = /etc/progfig/node.age

        ####
        # Assign group membership.
        # You can specify more than one node by separating them with newlines or spaces.
        [groups]
        # group1 = node1 node2

        ####
        # Assign each node to a function.
        # WARNING: Any node not listed here is not visible to progfig:
        # it cannot be deployed to, is not in the 'universal' group, etc.
        # Each node also needs nodes/NAME.conf with [sitedata] age_pubkey.
        [node_function_map]
        # node1 = func1

        ####
        # Set the list of roles for each function.
        # Roles can be separated by newlines or spaces.
        [function_role_map]
        # func1 = settz otherrole
        # Nodes whose function has no entry get the 'default' roles.
        # default = settz

        ####
        # How 'progfig version mint' makes versions: MAJOR.MINOR.EPOCH,
        # or 'env = NAME' to take the version from an environment variable set by CI.
        [version]
        major = 1
        minor = 0

        """
    }
}
