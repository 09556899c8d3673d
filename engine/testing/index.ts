/**
 * `tfdrift/testing`: the kit plugin authors test with — the built-ins use nothing else. A plugin runs in
 * a small pipeline of its own (`runPlugin`: checked options, manual clock, demand gate, recorded
 * outputs, events and logs), and `conformanceChecks` / `checkConformance` hold what every plugin of a
 * kind owes the host, real sample inputs included (`tfdrift/testing/vitest` wraps them as a vitest suite).
 */
export { testContext, take } from './context.ts'
export type { TestContext } from './context.ts'
export { runPlugin, OutputError } from './harness.ts'
export type { PluginRun, RunPluginOptions, LogRecord } from './harness.ts'
export { conformanceChecks, checkConformance, undocumentedOptions } from './conformance.ts'
export type { ConformanceCheck, ConformanceOptions, ConformanceResult } from './conformance.ts'
export type { ConformanceSample } from '../plugin-api.ts'
export { sampleFiles, corpusFolder } from './samples.ts'
export { manualClock } from '../clock.ts'
export { silentLogger } from '../logger.ts'
export { MemoryBus } from '../bus/memory-bus.ts'
export { MemoryStore } from '../store/memory-store.ts'
// What the engine does around a plugin, for tests that need the same: event validation, the delivery loop, counters.
export { validateEnvelope, validateEventPublication } from '../events.ts'
export { DeliveryRunner } from '../delivery/runner.ts'
export { metricsRegistry } from '../metrics.ts'
