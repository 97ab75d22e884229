/**
 * Port conformance suites: the contract of each port in device/ports.ts as runnable
 * checks, in runtime-neutral code (no Node API), so the same suites run in CI against the
 * emulated ports, in a Moddable build against a platform's ports, and on a vendor's board
 * against their own implementation (docs/PORTING.md, "Port conformance").
 *
 * Each `run…Suite` returns plain results; `formatResults` prints them; `summarise` counts.
 */
export { formatResults, summarise, type CheckResult, type Summary } from './report.js';
export { runSha256Suite } from './sha256-suite.js';
export { builtInP256Cases, runP256Suite, type P256Case } from './p256-suite.js';
export { runFlashSuite, type FlashSuiteOptions } from './flash-suite.js';
export { runClockSuite, type ClockSuiteEnv } from './clock-suite.js';
export { runPowerSuite } from './power-suite.js';
export { runBootControlSuite, type BootControlSuiteOptions } from './boot-control-suite.js';
export { runTransportSuite, type TransportSuiteEnv } from './transport-suite.js';
