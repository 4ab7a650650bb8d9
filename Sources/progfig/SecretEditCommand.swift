import AgeFormat
import ArgumentParser
import Foundation
import ProgfigSecrets
import SecureIO

/// `progfig secret edit`: change a stored secret in an editor, leaving no plaintext behind.
struct SecretEditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit a stored secret in $VISUAL or $EDITOR and store it again if it changed.",
        discussion: """
            Decrypts NAME of one collection into a private temporary file (mode 0600, in a new \
            0700 directory in $XDG_RUNTIME_DIR, else /dev/shm, else the temporary directory), \
            runs $VISUAL, else $EDITOR, else vi on it, and when the editor exits successfully \
            and the value changed, stores it encrypted to that collection's readers, as \
            'secret encrypt --save-as' does. A NAME that does not exist yet starts empty. The \
            file is overwritten with zeros and removed afterwards, also when the editor fails \
            or the command is interrupted; nothing is stored then. While the editor runs, \
            Control-C belongs to the editor (progfig ignores it, as git does).

              progfig secret edit -n db1 db_password
              EDITOR=nano progfig secret edit -g webservers tls_key
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var collections: CollectionOptions

    @Argument(help: "The secret's name.")
    var name: String

    func validate() throws {
        if collections.selection.collections.count != 1 {
            throw ValidationError("name exactly one collection: -n NODE, -g GROUP or -c")
        }
        if name.isEmpty || name.contains(where: \.isNewline) {
            throw ValidationError("NAME must be a non-empty, single-line name")
        }
    }

    func run() throws {
        let store = try SiteContext(global).secretStore()
        let collection = collections.selection.collections[0]
        var old: [UInt8] = try store.list(collection).contains(name) ? store.get(collection, name: name).value() : []
        defer { SecureBytes.wipe(&old) }
        let file = try PrivateTemporaryFile(name: Self.fileName(for: name), contents: old)
        defer { file.remove() }
        try Self.runEditor(on: file.path)
        var new = try file.read()
        defer { SecureBytes.wipe(&new) }
        file.remove()
        guard new != old else {
            if !global.quiet { Output.note("secret \"\(name)\" of \(collection) is unchanged; nothing stored") }
            return
        }
        let selection = collections.selection
        _ = try store.store(name: name, value: new, nodes: selection.nodes, groups: selection.groups,
                            controllerKey: selection.controller)
        if !global.quiet { Output.note("stored secret \"\(name)\" for \(collection)") }
    }

    /// A file name from the secret's name, kept to safe characters so an editor can show it and
    /// pick a mode from its extension.
    static func fileName(for name: String) -> String {
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return safe.hasPrefix(".") ? "_" + safe : safe
    }

    /// Runs `$VISUAL`, else `$EDITOR`, else vi, through the shell (so it may carry arguments, as
    /// git allows) on `path`, with the terminal; throws unless it exits with status 0.
    ///
    /// As git does, progfig ignores SIGINT and SIGQUIT while the editor runs: Control-C typed in
    /// the editor is the editor's (vi cancels a command with it), and if it ends the editor,
    /// nothing is stored. The editor itself starts with every signal at its default.
    static func runEditor(on path: String) throws {
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let arguments: [String] = ["/bin/sh", "-c", editor + " \"$1\"", "sh", path]

        let previousInterrupt = signal(SIGINT, SIG_IGN), previousQuit = signal(SIGQUIT, SIG_IGN)
        defer {
            signal(SIGINT, previousInterrupt)
            signal(SIGQUIT, previousQuit)
        }
        let pid: pid_t
        switch ChildProcess.spawn("/bin/sh", arguments: arguments) {
        case .success(let child): pid = child
        case .failure(let error): throw CLIError("cannot start the editor \"\(editor)\": \(error); nothing was stored")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw CLIError("cannot wait for the editor: \(String(cString: strerror(errno))); nothing was stored") }
        }
        let signal = status & 0x7f, code = (status >> 8) & 0xff
        guard signal == 0, code == 0 else {
            let how = signal == 0 ? "exited with status \(code)" : "was killed by signal \(signal)"
            throw CLIError("the editor \"\(editor)\" \(how); nothing was stored")
        }
    }
}
