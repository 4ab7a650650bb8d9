import AgeFormat
import Foundation
import SecureIO

/// Creates a new site in the original's layout, as its `newsite` does: `pyproject.toml` and
/// `src/NAME/` holding `__init__.py`, `inventory.py` (calling `hosts_conf`/`secrets_conf`),
/// `inventory.conf`, `nodes/`, `groups/` and `builddata/`, plus a fresh controller key kept
/// outside the site. The original imports the result as it is. Nothing existing is overwritten.
public enum SiteCreator {
    /// What `create` wrote.
    public struct Created: Sendable {
        /// The new site.
        public let layout: SiteLayout
        /// The controller key file (mode 0600).
        public let controllerKey: URL
    }

    /// Creates the site at project root `root`, named after its last path component, with its
    /// controller key at `controllerKey` (default: `ROOT/../NAME.controller.age`), written in
    /// age-keygen's format; with `postQuantum`, an ML-KEM-768 + X25519 key.
    public static func create(root: URL, controllerKey: URL?, postQuantum: Bool = false) throws -> Created {
        let root = root.standardizedFileURL
        let name = root.lastPathComponent
        guard let first = name.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first),
              name.unicodeScalars.allSatisfy({ $0 == "_" || CharacterSet.alphanumerics.contains($0) }), name.allSatisfy(\.isASCII) else {
            throw SiteError("site name \(quoted(name)) is not a Python package name (letters, digits and '_', not starting with a digit)",
                            file: root.path)
        }
        let layout = SiteLayout.newSite(root: root, name: name)
        for existing in [root.appendingPathComponent(SiteLayout.projectFileName), layout.inventoryModule, layout.inventoryConfig]
        where FileManager.default.fileExists(atPath: existing.path) {
            throw SiteError("a site already exists here; init never overwrites", file: existing.path)
        }
        let keyURL = controllerKey?.standardizedFileURL
            ?? root.deletingLastPathComponent().appendingPathComponent("\(name).controller.age")
        if FileManager.default.fileExists(atPath: keyURL.path) {
            throw SiteError("a key already exists here; init never overwrites keys", file: keyURL.path)
        }
        for directory in [layout.nodesDirectory, layout.groupsDirectory, layout.builddataDirectory] {
            try SiteFiles.createDirectory(directory)
        }
        var key = try KeygenFile.generate(postQuantum: postQuantum)
        defer { key.wipe() }
        try SiteFiles.createDirectory(keyURL.deletingLastPathComponent())
        try AtomicFile.write(key.contents, to: keyURL, mode: 0o600, overwrite: false)
        let files: [(URL, String)] = [
            (root.appendingPathComponent(SiteLayout.projectFileName), projectFile(name: name)),
            (layout.package.appendingPathComponent("__init__.py"), packageInit(name: name)),
            (layout.nodesDirectory.appendingPathComponent("__init__.py"), "\"\"\"The site's nodes: one module per node, nodes/NAME.py.\"\"\"\n"),
            (layout.groupsDirectory.appendingPathComponent("__init__.py"), "\"\"\"The site's groups.\"\"\"\n"),
            (layout.builddataDirectory.appendingPathComponent("__init__.py"), "\"\"\"Data written at build time (version.py); not kept in source control.\"\"\"\n"),
            (layout.inventoryConfig, inventoryConfig(controllerKeyPath: keyURL.path, controllerPublicKey: key.recipient)),
            (layout.inventoryModule, inventoryModule(name: name)),
        ]
        do {
            for (url, text) in files {
                try AtomicFile.write(Array(text.utf8), to: url, mode: 0o644, overwrite: false)
            }
        } catch {
            // Unless inventory.py is in place after all (the write failed after it appeared, say in
            // the directory's fsync), the key just written belongs to no site: remove it, so that
            // init can be run again.
            if (try? SiteFiles.read(layout.inventoryModule)) != Array(files.last!.1.utf8) { unlink(keyURL.path) }
            throw error
        }
        return Created(layout: layout, controllerKey: keyURL)
    }

    /// Text of a node module for `address` with `publicKey`, in the form the original imports.
    public static func nodeModule(address: String, publicKey: String, keyPath: String) -> String {
        """
        from progfiguration.inventory.nodes import InventoryNode

        node = InventoryNode(
            address=\(pythonString(address)),
            user="root",
            ssh_host_fingerprint="",
            sitedata=dict(
                age_pubkey=\(pythonString(publicKey)),
                age_key_path=\(pythonString(keyPath)),
            ),
            roles=dict(),
        )

        """
    }

    /// `text` as a double-quoted Python string literal.
    static func pythonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func projectFile(name: String) -> String {
        """
        [project]
        name = "\(name)"
        dynamic = ["version"]
        description = "The \(name) progfiguration site"
        requires-python = ">=3.10"
        dependencies = []

        [project.optional-dependencies]
        development = ["progfiguration"]

        [build-system]
        requires = ["setuptools"]
        build-backend = "setuptools.build_meta"

        [tool.setuptools.dynamic]
        version = {attr = "\(name).get_version"}

        # inventory.conf, secrets files and other data go into the package too.
        [tool.setuptools.package-data]
        "\(name)" = ["*"]

        """
    }

    private static func packageInit(name: String) -> String {
        """
        \"\"\"The \(name) progfiguration site package (importable without progfiguration).\"\"\"

        site_name = "\(name)"

        site_description = "The \(name) progfiguration site"


        def get_version() -> str:
            \"\"\"The version of this build: builddata/version.py when a build wrote it, else 0.0.1a0.\"\"\"
            try:
                from \(name).builddata import version as builddata_version

                return builddata_version.version
            except Exception:
                return "0.0.1a0"

        """
    }

    private static func inventoryModule(name: String) -> String {
        """
        \"\"\"The site's inventory: host store, secret store and version minting.\"\"\"

        from progfiguration import sitewrapper
        from progfiguration.sitehelpers import siteversion
        from progfiguration.sitehelpers.invconf import hosts_conf, secrets_conf

        # Must come before anything else from progfiguration core.
        sitewrapper.set_progfigsite_by_module_name("\(name)")

        # Both read inventory.conf, found next to this file: hosts_conf its [groups],
        # [node_function_map] and [function_role_map]; secrets_conf its [secrets].
        hoststore = hosts_conf("inventory.conf")
        secretstore = secrets_conf("inventory.conf")

        # Versions MAJOR.MINOR.EPOCH ('progfig version mint').
        mint_version = siteversion.mint_version_factory_from_epoch(major=1, minor=0)

        """
    }

    private static func inventoryConfig(controllerKeyPath: String, controllerPublicKey: String) -> String {
        """
        [secrets]
        # The controller's key decrypts every secret. Where it is missing (on a node),
        # everything but decrypting the controller's secrets still works.
        controller_age_path = \(controllerKeyPath)

        # Its public key, so that secrets can be encrypted to the controller anywhere.
        controller_age_pub = \(controllerPublicKey)

        # Where each node keeps its own key, unless its sitedata says age_key_path.
        node_fallback_age_path = /etc/progfiguration/node.age

        # Groups and their members, separated by spaces or newlines.
        [groups]
        # webservers = web1 web2

        # Each node's function. A node not listed here is not part of the site:
        # it is in no group, not even 'universal'. Its data goes in nodes/NAME.py.
        [node_function_map]
        # web1 = webserver

        # Each function's roles, separated by spaces or newlines.
        [function_role_map]
        # webserver = settz nginx

        """
    }
}
