/// progfiguration's `SecretStore` protocol: list, read and encrypt a site's secrets.
public protocol SecretStore: Sendable {
    /// The names of the secrets stored in `collection`, sorted.
    func list(_ collection: SecretCollection) throws -> [String]
    /// Every secret of `collection`, sorted by name, from one read of its file.
    func secrets(in collection: SecretCollection) throws -> [Secret]
    /// The secret `name` of `collection`; its value is decrypted when first asked for.
    func get(_ collection: SecretCollection, name: String) throws -> Secret
    /// The secret `name` as `node` sees it at apply time: its own, else its groups' in reverse
    /// order, `universal` last.
    func getInherited(node: String, name: String) throws -> Secret
    /// Encrypts `value` to the nodes, every member of the groups, and the controller when
    /// `controllerKey` is set, storing nothing. Returns the armored age value.
    func encrypt(value: [UInt8], nodes: [String], groups: [String], controllerKey: Bool) throws -> String
    /// Encrypts `value` as `name` to the nodes, every member of the groups and the controller, and
    /// saves it in each named collection (the controller's with `controllerKey`). Returns the
    /// armored age value.
    func store(name: String, value: [UInt8], nodes: [String], groups: [String], controllerKey: Bool) throws -> String
}
