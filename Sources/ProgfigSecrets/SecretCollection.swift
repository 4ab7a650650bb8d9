import Foundation

/// Where a secret is stored: a node's file, a group's file, or the controller's file.
public enum SecretCollection: Hashable, Sendable, CustomStringConvertible {
    /// nodes/NAME.secrets.json: readable by the node and the controller.
    case node(String)
    /// groups/NAME.secrets.json: readable by every member and the controller.
    case group(String)
    /// controller.secrets.json (the original's "special" collection): readable by the controller only.
    case controller

    /// "node NAME", "group NAME" or "controller".
    public var description: String {
        switch self {
        case .node(let n): return "node \(n)"
        case .group(let g): return "group \(g)"
        case .controller: return "controller"
        }
    }

    /// The secrets file of this collection in `site`.
    public func url(in site: Site) throws -> URL {
        switch self {
        case .node(let n): return try site.nodeSecretsURL(n)
        case .group(let g): return try site.groupSecretsURL(g)
        case .controller: return site.controllerSecretsURL
        }
    }
}
