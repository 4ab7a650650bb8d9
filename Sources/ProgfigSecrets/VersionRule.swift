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
            return mintVersionFactoryFromEpoch(major: major, minor: minor, clock: clock)
        case let .environment(variable):
            return mintVersionFactoryFromEnvironment(variable: variable, environment: environment)
        }
    }
}
