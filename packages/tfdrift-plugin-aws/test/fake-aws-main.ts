/**
 * Runs the fake AWS in its own process (for the bench, so its CPU is not the plugin's): argv[2] = JSON
 * { regions, size, faults }; prints the endpoint. On stdin, `cpu` answers with the fake's own CPU ms and
 * requests so far; stdin's end (the bench exited, even by a crash) stops it, so no fake outlives its bench.
 */
import { createInterface } from 'node:readline'
import { FakeAws } from './fake-aws.ts'
import { makeAccount } from './world.ts'

const { regions, size, faults } = JSON.parse(process.argv[2] ?? '{}')
const fake = new FakeAws({ '111111111111': makeAccount(regions, size) })
fake.faults = faults ?? {}
const endpoint = await fake.start()
const report = () => { const c = process.cpuUsage(); return JSON.stringify({ cpu_ms: (c.user + c.system) / 1000, requests: fake.requests }) }
process.stdout.write(`${JSON.stringify({ endpoint })}\n`)
const stop = () => { void fake.stop().then(() => { process.stdout.write(`${report()}\n`); process.exit(0) }) }
createInterface({ input: process.stdin }).on('line', (line) => { if (line.trim() === 'cpu') process.stdout.write(`${report()}\n`) }).on('close', stop)
process.on('SIGTERM', stop)
