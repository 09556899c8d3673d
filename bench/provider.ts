/**
 * Provider discovery bench: the `aws` plugin discovers ~10,000 resources across 3 regions from the fake AWS
 * on loopback (real SDK v3, real wire protocols) with an artificial per-request latency, then scans them
 * against a state holding half of the instances. The fake serves the page sizes AWS documents (DescribeInstances
 * up to 1000 per page with MaxResults, Cloud Control ListResources up to 100…), keeps connections alive as AWS
 * does, and runs in a child process: the CPU reported is the client's alone (SDK, parsing, mapping), the fake's
 * is its own column. The goal is a wall time near latency × requests / concurrency (I/O-bound, not CPU-bound);
 * the longest chain of dependent calls (STS, then one region's instance pages one after another) is a second
 * floor. Run 1 is cold (a one-shot `tfdrift scan`: JIT, SDK modules loading), later runs warm (a daemon's
 * rescans). `--profile` adds a profiled warm run and splits its CPU by whose code ran.
 *
 *   npm run bench:provider -- [--latency 20] [--concurrency 32] [--resources 10000] [--runs 2] [--profile] [--json]
 */
import { parseArgs } from 'node:util'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { diffSnapshots, parseState } from 'tfdrift'
import { discover, type DiscoverResult } from '../packages/tfdrift-plugin-aws/src/index.ts'
import { tfstate } from '../packages/tfdrift-plugin-aws/test/world.ts'
import { profileCpu } from './cpu-split.ts'

const { values } = parseArgs({ options: {
  latency: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '32' }, resources: { type: 'string', default: '10000' },
  runs: { type: 'string', default: '2' }, profile: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
} })
const latency = Number(values.latency)
const concurrency = Number(values.concurrency)
const target = Number(values.resources)
const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2']

// Per region: EC2 instances make up the bulk (~target/3 each region); a few of each other kind.
const perRegion = Math.floor(target / regions.length)
const cc = 3 // per Cloud Control type per region (41 types)
const size = { vpcs: 10, subnets: 40, securityGroups: 100, tables: 20, keys: 10, cloudcontrol: cc, roles: 200, buckets: 30 }
const pageMax = 1000 // DescribeInstances' MaxResults ceiling (the fake never exceeds the documented maxima)
const instances = Math.max(0, perRegion - (size.vpcs + size.subnets + size.securityGroups + size.tables + size.keys + 1 + 40 * cc))
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' })
const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../packages/tfdrift-plugin-aws/test/fake-aws-main.ts', import.meta.url)),
  JSON.stringify({ regions, size: { ...size, instances }, faults: { latencyMs: latency, pageSize: 1000 } })], { stdio: ['pipe', 'pipe', 'inherit'] })
const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]()
const next = async <T>() => JSON.parse((await lines.next()).value as string) as T
const { endpoint } = await next<{ endpoint: string }>()
const fakeCpu = async () => { server.stdin!.write('cpu\n'); return (await next<{ cpu_ms: number }>()).cpu_ms }

// `memoryUsage.rss()` reads the RSS alone; the full `memoryUsage()` walks the V8 heap spaces every 20 ms (~2% of the CPU measured).
let peak = process.memoryUsage.rss()
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 20)
const options = { regions, concurrency, max_attempts: 6, max_retry_ms: 60_000, endpoint, cloudcontrol: true, cloudcontrol_detail: true, interval_seconds: 0 }

interface Run { run: string; wall_ms: number; calls: number; bound_ms: number; wall_over_bound: number; cpu_ms: number; cpu_share: number; fake_cpu_ms: number; resources: number }
async function measure(label: string, work: () => Promise<DiscoverResult>): Promise<{ row: Run; result: DiscoverResult }> {
  const fake0 = await fakeCpu()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await work()
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  const bound = (latency * result.stats.requests) / concurrency
  return { result, row: {
    run: label, wall_ms: Math.round(wall), calls: result.stats.requests, bound_ms: Math.round(bound), wall_over_bound: +(wall / bound).toFixed(2),
    cpu_ms: Math.round(cpuMs), cpu_share: +(cpuMs / wall).toFixed(2), fake_cpu_ms: Math.round((await fakeCpu()) - fake0), resources: result.snapshot.resources.length,
  } }
}

const rows: Run[] = []
const first = await measure('1 (cold)', () => discover(options))
rows.push(first.row)
for (let i = 2; i <= Number(values.runs); i++) rows.push((await measure(`${i} (warm)`, () => discover(options))).row)
let roles: Record<string, number> | undefined
if (values.profile) {
  let split: Awaited<ReturnType<typeof profileCpu<DiscoverResult>>> | undefined
  rows.push((await measure('profiled', async () => (split = await profileCpu(() => discover(options))).result)).row)
  roles = split!.roles
}

// End to end (cold run): the same snapshot against a state that holds every other instance (the rest is unmanaged).
const { snapshot } = first.result
const t1 = performance.now()
const ec2 = snapshot.resources.filter((r) => r.type === 'aws_instance')
const state = parseState(tfstate(ec2.filter((_, i) => i % 2 === 0).map((r, i) => ({ type: r.type, name: `i${i}`, attributes: { id: r.resource_id, instance_type: 't3.micro' } }))), { source: 'bench.tfstate' })
const { coverage } = diffSnapshots([state], [snapshot])
const diffMs = performance.now() - t1
clearInterval(sampler)
server.stdin!.end()
await lines.next()

const summary = {
  resources: snapshot.resources.length, types_covered: snapshot.covered_types?.length, regions: regions.length, latency_ms: latency, concurrency,
  paging_floor_ms: (1 + Math.max(Math.ceil(instances / pageMax), 2)) * latency, peak_rss_mb: Math.round(peak / 1048576),
  diff_ms: Math.round(diffMs), end_to_end_ms: Math.round(first.row.wall_ms + diffMs), coverage,
}
if (values.json) {
  console.log(JSON.stringify({ ...summary, runs: rows, cpu_roles_ms: roles }, null, 2))
} else {
  const table = (head: string[], body: Array<Array<string | number>>) => {
    const cells = [head, ...body.map((r) => r.map(String))]
    const w = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)))
    for (const [n, r] of cells.entries()) {
      console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | '))
      if (n === 0) console.log(w.map((x) => '-'.repeat(x)).join('-|-'))
    }
  }
  console.log(`aws discovery: ${summary.resources} resources, ${summary.types_covered} types, ${regions.length} regions; latency ${latency} ms, concurrency ${concurrency}.`)
  console.log('CPU is the client process only: the fake AWS runs in a child process (its CPU is the last column).\n')
  table(['run', 'wall ms', 'calls', 'bound ms', 'wall/bound', 'CPU ms', 'CPU share', 'fake CPU ms'],
    rows.map((r) => [r.run, r.wall_ms, r.calls, r.bound_ms, r.wall_over_bound, r.cpu_ms, r.cpu_share, r.fake_cpu_ms]))
  console.log(`\npaging floor ${summary.paging_floor_ms} ms · peak RSS ${summary.peak_rss_mb} MB · diff ${summary.diff_ms} ms · scan end to end (cold) ${summary.end_to_end_ms} ms`)
  console.log(`coverage: ${JSON.stringify(coverage)}`)
  if (roles) {
    const total = Object.values(roles).reduce((a, b) => a + b, 0)
    console.log('\nCPU of the profiled run by whose code ran (sampled; the profiler adds overhead):\n')
    table(['role', 'CPU ms', 'share'], Object.entries(roles).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v), `${Math.round((100 * v) / total)}%`]))
  }
}
