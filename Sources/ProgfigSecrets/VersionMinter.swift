import Foundation

/// A function returning a new, PEP 440-valid version for the site's next build (Python's `mint_version`).
public typealias VersionMinter = @Sendable () throws -> String

/// Returns a minter giving "MAJOR.MINOR.EPOCH" with EPOCH the clock's UTC time in whole seconds,
/// like progfiguration's `mint_version_factory_from_epoch`.
public func mintVersionFactoryFromEpoch(
    major: Int, minor: Int, clock: @escaping @Sendable () -> Date = { Date() }
) -> VersionMinter {
    return {
        let epoch = Int(clock().timeIntervalSince1970.rounded(.down))
        return try validatedVersion("\(major).\(minor).\(epoch)", source: "epoch rule")
    }
}

/// Returns a minter taking the version from environment variable `variable`; unset or empty is an error.
public func mintVersionFactoryFromEnvironment(
    variable: String,
    environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }
) -> VersionMinter {
    return {
        guard let value = environment()[variable], !value.isEmpty else {
            throw SiteError("environment variable \(variable) is unset or empty; it must hold the version to build")
        }
        return try validatedVersion(value, source: "environment variable \(variable)")
    }
}

/// Returns `version` when it is PEP 440-valid, else throws an error naming where it came from.
private func validatedVersion(_ version: String, source: String) throws -> String {
    guard PEP440.isValid(version) else {
        throw SiteError("version \(quoted(version)) from \(source) is not a valid PEP 440 version")
    }
    return version
}
