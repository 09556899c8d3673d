/**
 * Provider discovery bench: the `aws` plugin discovers ~10,000 resources across 3 regions from the fake AWS
 * on loopback (real SDK v3, real wire protocols) with an artificial per-request latency, then scans them
 * against a state holding half of the instances. The fake serves the page sizes AWS documents (DescribeInstances
 * up to 1000 per page with MaxResults, Cloud Control ListResources up to 100…) and keeps connections alive as AWS
 * does. The longest chain of dependent calls (STS, then the EC2 instance pages one after another, or a list
 * followed by its per-object reads) is a second floor: calls in the chain × latency. Reports wall time, HTTP requests, peak RSS, and the CPU share of
 * the wall time; the goal is a wall time near latency × requests / concurrency (I/O-bound, not CPU-bound).
 *
 *   npm run bench:provider -- [--latency 20] [--concurrency 32] [--resources 10000]
 */
import { parseArgs } from 'node:util'
import { diffSnapshots } from 'tfdrift'
import { discover } from '../packages/tfdrift-plugin-aws/src/index.ts'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseState } from 'tfdrift'
import { tfstate } from '../packages/tfdrift-plugin-aws/test/world.ts'

const { values } = parseArgs({ options: { latency: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '32' }, resources: { type: 'string', default: '10000' } } })
const latency = Number(values.latency)
const concurrency = Number(values.concurrency)
const target = Number(values.resources)
const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2']

// Per region: EC2 and Cloud Control objects make up the bulk (~target/3 each region); a few of each other kind.
const perRegion = Math.floor(target / regions.length)
const cc = 3 // per Cloud Control type per region (41 types)
const size = { vpcs: 10, subnets: 40, securityGroups: 100, tables: 20, keys: 10, cloudcontrol: cc, roles: 200, buckets: 30 }
const pageMax = 1000 // DescribeInstances' MaxResults ceiling (the fake never exceeds the documented maxima)
const fixed = size.vpcs + size.subnets + size.securityGroups + size.tables + size.keys + 1 + 40 * cc
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' })
// The fake AWS runs in its own process: the CPU measured below is the plugin's (SDK, parsing, mapping) only.
const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../packages/tfdrift-plugin-aws/test/fake-aws-main.ts', import.meta.url)),
  JSON.stringify({ regions, size: { ...size, instances: Math.max(0, perRegion - fixed) }, faults: { latencyMs: latency, pageSize: 1000 } })], { stdio: ['ignore', 'pipe', 'inherit'] })
const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]()
const { endpoint } = JSON.parse((await lines.next()).value as string) as { endpoint: string }

// `memoryUsage.rss()` reads the RSS alone; the full `memoryUsage()` walks the V8 heap spaces every 20 ms (~2% of the CPU measured).
let peak = process.memoryUsage.rss()
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 20)
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const { snapshot, stats } = await discover({ regions, concurrency, max_attempts: 6, max_retry_ms: 60_000, endpoint, cloudcontrol: true, cloudcontrol_detail: true, interval_seconds: 0 })
const discoverMs = performance.now() - t0
const cpu = process.cpuUsage(cpu0)

// End to end: the same snapshot against a state that holds every other instance (the rest is unmanaged).
const t1 = performance.now()
const instances = snapshot.resources.filter((r) => r.type === 'aws_instance')
const state = parseState(tfstate(instances.filter((_, i) => i % 2 === 0).map((r, i) => ({ type: r.type, name: `i${i}`, attributes: { id: r.resource_id, instance_type: 't3.micro' } }))), { source: 'bench.tfstate' })
const { coverage } = diffSnapshots([state], [snapshot])
const diffMs = performance.now() - t1
clearInterval(sampler)
server.kill('SIGTERM')
await lines.next()

const cpuMs = (cpu.user + cpu.system) / 1000
const bound = (latency * stats.requests) / concurrency
console.log(JSON.stringify({
  resources: snapshot.resources.length, types_covered: snapshot.covered_types?.length, regions: regions.length,
  requests: stats.requests, latency_ms: latency, concurrency,
  discovery_wall_ms: Math.round(discoverMs), bound_ms: Math.round(bound), paging_floor_ms: (1 + Math.max(Math.ceil(Math.max(0, perRegion - fixed) / pageMax), 2)) * latency, wall_over_bound: +(discoverMs / bound).toFixed(2),
  cpu_ms: Math.round(cpuMs), cpu_share: +(cpuMs / discoverMs).toFixed(2),
  peak_rss_mb: Math.round(peak / 1048576), diff_ms: Math.round(diffMs), end_to_end_ms: Math.round(discoverMs + diffMs),
  coverage,
}, null, 2))
