/** Runs the fake AWS in its own process (for the bench, so its CPU is not the plugin's): argv[2] = JSON { regions, size, faults }; prints the endpoint. */
import { FakeAws } from './fake-aws.ts'
import { makeAccount } from './world.ts'

const { regions, size, faults } = JSON.parse(process.argv[2] ?? '{}')
const fake = new FakeAws({ '111111111111': makeAccount(regions, size) })
fake.faults = faults ?? {}
const endpoint = await fake.start()
process.stdout.write(`${JSON.stringify({ endpoint })}\n`)
process.on('SIGTERM', () => { void fake.stop().then(() => { process.stdout.write(`${JSON.stringify({ requests: fake.requests })}\n`); process.exit(0) }) })
