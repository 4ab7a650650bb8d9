import Foundation

/// How a site mints the version of its next build, read from inventory.conf's `[version]` section.
public enum VersionRule: Equatable, Sendable {
    /// "MAJOR.MINOR.EPOCH", where EPOCH is the UTC time in whole seconds.
    case epoch(major: Int, minor: Int)
    /// The value of an environment variable, e.g. a CI build number.
    case environment(variable: String)

    /// The rule used when inventory.conf has no `[version]` section: epoch versions 1.0.EPOCH.
    public static let standard = VersionRule.epoch(major: 1, minor: 0)

    /// Returns the minting function for this rule; the clock and environment are injectable for tests.
    public func minter(
        clock: @escaping @Sendable () -> Date = { Date() },
        environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }
    ) -> VersionMinter {
        switch self {
        case let .epoch(major, minor):
            // As the original's mint_version_factory_from_epoch, but with the true UTC epoch.
            return {
                let epoch = Int(clock().timeIntervalSince1970.rounded(.down))
                return try Self.validated("\(major).\(minor).\(epoch)", source: "epoch rule")
            }
        case let .environment(variable):
            return {
                guard let value = environment()[variable], !value.isEmpty else {
                    throw SiteError("environment variable \(variable) is unset or empty; it must hold the version to build")
                }
                return try Self.validated(value, source: "environment variable \(variable)")
            }
        }
    }

    /// Returns `version` when it is PEP 440-valid, else throws an error naming where it came from.
    private static func validated(_ version: String, source: String) throws -> String {
        guard PEP440.isValid(version) else {
            throw SiteError("version \(quoted(version)) from \(source) is not a valid PEP 440 version")
        }
        return version
    }
}
