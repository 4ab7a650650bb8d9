import Foundation

/// Validates version strings against the PEP 440 version grammar, so minted versions are pip-installable.
///
/// The pattern follows the structure of the PEP's appendix regex: optional `v`, epoch `N!`, release
/// `N(.N)*`, pre-release `a|b|rc` (or `alpha|beta|c|pre|preview`) with optional separators and number,
/// post-release `-N` or `.postN` (also `rev`/`r`), dev-release `.devN`, and local label `+label`.
/// Matching is case-insensitive; unlike the PEP's regex, surrounding whitespace is not accepted.
public enum PEP440 {
    private static let pattern = #"""
        ^
        v?
        (?:
            (?:[0-9]+!)?                                    # epoch
            [0-9]+(?:\.[0-9]+)*                             # release segment
            (?:                                             # pre-release
                [-_.]?
                (?:alpha|beta|preview|pre|rc|a|b|c)
                [-_.]?
                [0-9]*
            )?
            (?:                                             # post-release
                -[0-9]+
                |
                [-_.]?
                (?:post|rev|r)
                [-_.]?
                [0-9]*
            )?
            (?:                                             # dev-release
                [-_.]?
                dev
                [-_.]?
                [0-9]*
            )?
        )
        (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?                 # local version label
        $
        """#

    private static let regex: NSRegularExpression = {
        do {
            return try NSRegularExpression(pattern: pattern, options: [.caseInsensitive, .allowCommentsAndWhitespace])
        } catch {
            preconditionFailure("PEP 440 pattern does not compile: \(error)")
        }
    }()

    /// Whether `version` is a valid PEP 440 version string.
    public static func isValid(_ version: String) -> Bool {
        let range = NSRange(version.startIndex..., in: version)
        return regex.firstMatch(in: version, options: [.anchored], range: range) != nil
    }
}
