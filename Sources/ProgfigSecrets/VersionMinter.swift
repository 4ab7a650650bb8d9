import Foundation

/// A function returning a new, PEP 440-valid version for the site's next build (Python's `mint_version`).
public typealias VersionMinter = @Sendable () throws -> String
