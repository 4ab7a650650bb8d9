import Foundation
import XCTest
import ProgfigSecrets

final class VersionTests: XCTestCase {
    private let fixedClock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_700_000_000.9) }

    func testEpochFactoryWithInjectedClock() throws {
        XCTAssertEqual(try VersionRule.epoch(major: 1, minor: 0).minter(clock: fixedClock)(), "1.0.1700000000")
        XCTAssertEqual(try VersionRule.epoch(major: 2, minor: 15).minter(clock: fixedClock)(), "2.15.1700000000")
    }

    func testEpochFactoryUsesCurrentTimeByDefault() throws {
        let before = Int(Date().timeIntervalSince1970)
        let parts = try VersionRule.epoch(major: 1, minor: 0).minter()().split(separator: ".")
        let after = Int(Date().timeIntervalSince1970)
        XCTAssertEqual(parts.count, 3)
        let epoch = try XCTUnwrap(Int(parts[2]))
        XCTAssertTrue((before...after).contains(epoch))
    }

    func testEpochFactoryRejectsInvalidVersion() {
        XCTAssertThrowsSiteError(
            try VersionRule.epoch(major: -1, minor: 0).minter(clock: fixedClock)(),
            "version \"-1.0.1700000000\" from epoch rule is not a valid PEP 440 version")
    }

    func testEnvironmentFactory() throws {
        let mint = VersionRule.environment(variable: "BUILD_VERSION").minter(environment: { ["BUILD_VERSION": "3.1.4.dev2"] })
        XCTAssertEqual(try mint(), "3.1.4.dev2")
    }

    func testEnvironmentFactoryUnsetOrEmptyIsError() {
        let expected = "environment variable BUILD_VERSION is unset or empty; it must hold the version to build"
        XCTAssertThrowsSiteError(try VersionRule.environment(variable: "BUILD_VERSION").minter(environment: { [:] })(), expected)
        XCTAssertThrowsSiteError(
            try VersionRule.environment(variable: "BUILD_VERSION").minter(environment: { ["BUILD_VERSION": ""] })(), expected)
    }

    func testEnvironmentFactoryInvalidVersionIsError() {
        XCTAssertThrowsSiteError(
            try VersionRule.environment(variable: "V").minter(environment: { ["V": "build 7"] })(),
            "version \"build 7\" from environment variable V is not a valid PEP 440 version")
    }

    func testEnvironmentFactoryReadsProcessEnvironmentByDefault() throws {
        setenv("PROGFIG_TEST_VERSION", "9.8.7", 1)
        defer { unsetenv("PROGFIG_TEST_VERSION") }
        XCTAssertEqual(try VersionRule.environment(variable: "PROGFIG_TEST_VERSION").minter()(), "9.8.7")
    }

    func testRuleMinters() throws {
        XCTAssertEqual(try VersionRule.standard.minter(clock: fixedClock)(), "1.0.1700000000")
        XCTAssertEqual(try VersionRule.epoch(major: 4, minor: 2).minter(clock: fixedClock)(), "4.2.1700000000")
        XCTAssertEqual(try VersionRule.environment(variable: "CI_V").minter(environment: { ["CI_V": "5.0rc1"] })(), "5.0rc1")
    }

    func testRuleFromInventoryMints() throws {
        let config = try InventoryConfig(parsing: "[version]\nmajor = 7\nminor = 1\n", path: "inventory.conf")
        XCTAssertEqual(try config.version.minter(clock: fixedClock)(), "7.1.1700000000")
    }
}
