/** The plugin test context now lives in the public testing kit (`tfdrift/testing`); kept for the suites under test/. */
export { testContext, take, type TestContext } from '../../engine/testing/context.ts'
