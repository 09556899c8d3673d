/**
 * bench:ui — the dashboard in the ui-bench harness (../shared/ui-bench, headless Chromium, sigma.js as
 * the anchor). Copies the read-only harness into .bench-cache/ui-bench, installs it there once, builds
 * ui/dist when stale, serves it on 127.0.0.1, runs bench.mjs against `/?bench={N}&graph={GRAPH_URL}`
 * (streaming its output, ratio table included), then calibrate.mjs (SwiftShader instanced vs plain draws).
 *
 *   npm run bench:ui -- [--sizes 10000,50000,100000] [--runs 1] [--pacing gpu-sync] [--dist DIR --entry PATH]
 *                       [--no-calibrate] [--live 1000] [--renderer webgl|webgpu|both] [-- …more bench.mjs options]
 *
 * After each bench.mjs run it prints the renderer the dashboard reported (`__benchInfo.renderer`).
 * `--renderer` forces one with `&renderer=`; webgpu runs target `dashboard-webgpu` in a Chromium
 * given WebGPU on SwiftShader's Vulkan driver (ui/scripts/webgpu-chromium.ts, through a wrapper
 * script passed as `--chromium`), no live pass. The harness's gpu-sync pacing waits on WebGL only, so
 * with webgpu or both the pacing defaults to vsync for every pass, and the two compare.
 *
 * Then, unless `--live 0`, a second bench.mjs run of the same sizes with `&live=R` (R severity changes
 * per second through the live-stream path during the interaction, default 1000), target name
 * `dashboard-live`, no anchor; it prints the live ÷ no-live frame-time ratios (goal: median ≤ 1.2).
 *
 * UI_BENCH_DIR overrides the harness location. `--dist`/`--entry` serve another build (e.g. a
 * standalone bench page) instead of ui/dist and `/`.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { webgpuChromium } from '../ui/scripts/webgpu-chromium.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCE = resolve(ROOT, process.env.UI_BENCH_DIR ?? '../shared/ui-bench')
const CACHE = join(ROOT, '.bench-cache', 'ui-bench')
const SKIP = new Set(['node_modules', 'dist', 'results'])
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2',
}

type RendererFlag = 'webgl' | 'webgpu' | 'both'
interface Options { sizes: string; runs: string; pacing?: string; dist: string; entry: string; calibrate: boolean; live: number; renderer?: RendererFlag; rest: string[] }

function parse(argv: string[]): Options {
  const o: Options = { sizes: '10000,50000,100000', runs: '1', dist: join(ROOT, 'ui', 'dist'), entry: '/', calibrate: true, live: 1000, rest: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!, val = () => argv[++i] ?? ''
    if (a === '--sizes') o.sizes = val()
    else if (a === '--runs') o.runs = val()
    else if (a === '--pacing') o.pacing = val()
    else if (a === '--dist') o.dist = resolve(val())
    else if (a === '--entry') o.entry = val()
    else if (a === '--no-calibrate') o.calibrate = false
    else if (a === '--live') o.live = Math.max(0, Number(val()) || 0)
    else if (a === '--renderer') {
      const r = val()
      if (r !== 'webgl' && r !== 'webgpu' && r !== 'both') throw new Error(`bench:ui: --renderer must be webgl, webgpu or both (got '${r}')`)
      o.renderer = r
    }
    else if (a === '--') o.rest.push(...argv.slice(i + 1)), (i = argv.length)
    else o.rest.push(a)
  }
  return o
}

function* files(dir: string, base = dir): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.has(name)) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* files(p, base)
    else yield p.slice(base.length + 1)
  }
}

/** Copies the harness (sources only) into the cache when it changed; returns whether npm ci is due. */
function syncHarness(): boolean {
  if (!existsSync(join(SOURCE, 'bench.mjs'))) throw new Error(`bench:ui: no ui-bench harness at ${SOURCE} (set UI_BENCH_DIR)`)
  const hash = createHash('sha256')
  const list = [...files(SOURCE)]
  for (const f of list) hash.update(f).update('\0').update(readFileSync(join(SOURCE, f)))
  const digest = hash.digest('hex')
  const stamp = join(CACHE, '.source-hash')
  const lockBefore = existsSync(join(CACHE, 'package-lock.json')) ? readFileSync(join(CACHE, 'package-lock.json'), 'utf8') : ''
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return !existsSync(join(CACHE, 'node_modules'))
  mkdirSync(CACHE, { recursive: true })
  for (const name of readdirSync(CACHE)) if (!SKIP.has(name)) rmSync(join(CACHE, name), { recursive: true, force: true })
  for (const f of list) {
    mkdirSync(join(CACHE, f, '..'), { recursive: true })
    cpSync(join(SOURCE, f), join(CACHE, f))
    chmodSync(join(CACHE, f), 0o644) // the shared copy is read-only; the next sync must be able to replace it
  }
  writeFileSync(stamp, digest)
  return !existsSync(join(CACHE, 'node_modules')) || readFileSync(join(CACHE, 'package-lock.json'), 'utf8') !== lockBefore
}

function run(cmd: string, args: string[], cwd: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, stdio: 'inherit' })
    const stop = () => child.kill('SIGTERM')
    process.once('SIGINT', stop)
    child.on('error', fail)
    child.on('exit', (code, signal) => { process.off('SIGINT', stop); done(code ?? (signal ? 1 : 0)) })
  })
}

/** Static server for a Vite build: files as they are, `/` and extension-less paths → index.html. */
function serve(dir: string): Promise<{ server: Server; port: number }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    let file = normalize(join(dir, path))
    if (!file.startsWith(dir + sep) && file !== dir) { res.writeHead(403).end(); return }
    if (path.endsWith('/') || !extname(path)) file = join(dir, path.endsWith('/') ? path : '', 'index.html')
    try {
      const body = await readFile(existsSync(file) ? file : join(dir, 'index.html'))
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, port: (server.address() as { port: number }).port })))
}

interface SummaryRow { page: string; n: number; medianMs?: number; p95Ms?: number; fps?: number; disturbedRuns?: number; okRuns?: number }

function resultFiles(): Set<string> {
  const dir = join(CACHE, 'results')
  return new Set(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [])
}

/** The summary rows of the results file a bench.mjs run wrote after `before` was listed; prints which renderer each page drew with. */
function newResult(before: Set<string>): SummaryRow[] | undefined {
  const added = [...resultFiles()].filter((f) => !before.has(f)).sort()
  if (!added.length) return undefined
  const file = JSON.parse(readFileSync(join(CACHE, 'results', added.at(-1)!), 'utf8')) as { summary: SummaryRow[]; results: Array<{ page: string; info?: { renderer?: string } }> }
  const drew = new Map<string, Set<string>>()
  for (const r of file.results) if (r.page.startsWith('dashboard')) (drew.get(r.page) ?? drew.set(r.page, new Set()).get(r.page)!).add(r.info?.renderer ?? 'unknown (no __benchInfo)')
  for (const [page, renderers] of drew) process.stdout.write(`bench:ui: ${page} drew with ${[...renderers].join(' / ')}\n`)
  return file.summary
}

/** A Chromium wrapper that turns WebGPU on (see ui/scripts/webgpu-chromium.ts); the harness has no flag option. */
function webgpuBrowser(): string {
  const binary = existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium'
  const webgpu = webgpuChromium(binary)
  if (!webgpu) throw new Error(`bench:ui: no SwiftShader Vulkan driver beside ${binary}; cannot give headless Chromium WebGPU`)
  const wrapper = join(CACHE, 'chromium-webgpu.sh')
  const env = Object.entries(webgpu.env).map(([k, v]) => `${k}='${v}'`).join(' ')
  writeFileSync(wrapper, `#!/bin/sh\nexport ${env}\nexec '${binary}' "$@" ${webgpu.args.join(' ')}\n`)
  chmodSync(wrapper, 0o755)
  return wrapper
}

/** live ÷ no-live frame times per N (goal: median ratio ≤ 1.2). */
function liveTable(plain: SummaryRow[], live: SummaryRow[], rate: number): string {
  const r2 = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2))
  const lines = [`\nlive changes (${rate}/s) vs none — dashboard frame times (goal: median ratio ≤ 1.20)`,
    '| N | median ms | median ms live | median ratio | p95 ms | p95 ms live | p95 ratio | disturbed |', '|---|---|---|---|---|---|---|---|']
  for (const p of plain.filter((r) => r.page === 'dashboard')) {
    const l = live.find((r) => r.page === 'dashboard-live' && r.n === p.n)
    if (!l) continue
    const ratio = (a?: number, b?: number) => (a !== undefined && b ? r2(a / b) : '—')
    lines.push(`| ${p.n} | ${p.medianMs ?? '—'} | ${l.medianMs ?? '—'} | ${ratio(l.medianMs, p.medianMs)} | ${p.p95Ms ?? '—'} | ${l.p95Ms ?? '—'} | ${ratio(l.p95Ms, p.p95Ms)} | ${(p.disturbedRuns ?? 0) + (l.disturbedRuns ?? 0)} |`)
  }
  return lines.join('\n') + '\n'
}

async function main(): Promise<number> {
  const o = parse(process.argv.slice(2))
  if (syncHarness()) {
    process.stderr.write(`bench:ui: installing the harness in ${CACHE} (npm ci)…\n`)
    const code = await run('npm', ['ci', '--no-audit', '--no-fund'], CACHE)
    if (code !== 0) throw new Error(`bench:ui: npm ci in ${CACHE} failed (${code})`)
  }
  if (o.dist === join(ROOT, 'ui', 'dist')) {
    const { ensureBuild } = (await import('../ui/scripts/ensure-build.mjs')) as { ensureBuild: (o?: { quiet?: boolean }) => Promise<boolean> }
    await ensureBuild()
  }
  if (!existsSync(join(o.dist, 'index.html')) && o.entry === '/') throw new Error(`bench:ui: no index.html in ${o.dist}`)
  const { server, port } = await serve(o.dist)
  try {
    const sep_ = o.entry.includes('?') ? '&' : '?'
    const base = `http://127.0.0.1:${port}${o.entry}${sep_}bench={N}&graph={GRAPH_URL}`
    const renderers = o.renderer === 'both' ? (['webgl', 'webgpu'] as const) : [o.renderer]
    const pacing = o.pacing ?? (o.renderer === 'webgpu' || o.renderer === 'both' ? 'vsync' : undefined)
    let code = 0
    for (const [i, renderer] of renderers.entries()) {
      const url = renderer ? `${base}&renderer=${renderer}` : base
      const name = renderer === 'webgpu' ? 'dashboard-webgpu' : 'dashboard'
      process.stderr.write(`bench:ui: serving ${o.dist} at http://127.0.0.1:${port}/ — target ${url}\n`)
      const args = ['bench.mjs', '--target-url', url, '--target-name', name, '--sizes', o.sizes, '--runs', o.runs]
      if (pacing) args.push('--pacing', pacing)
      if (renderer === 'webgpu') args.push('--chromium', webgpuBrowser())
      const rest = i > 0 ? [...o.rest.filter((a) => a !== '--no-anchor'), '--no-anchor'] : o.rest
      const before = resultFiles()
      const c = await run(process.execPath, [...args, ...rest], CACHE)
      if (c !== 0) process.stderr.write(`bench:ui: bench.mjs exited with ${c}\n`)
      code ||= c
      const plain = newResult(before)
      if (o.live > 0 && renderer !== 'webgpu') {
        const liveUrl = `${url}&live=${o.live}`
        process.stderr.write(`bench:ui: live changes — ${liveUrl}\n`)
        const args2 = ['bench.mjs', '--target-url', liveUrl, '--target-name', 'dashboard-live', '--no-anchor', '--sizes', o.sizes, '--runs', o.runs]
        if (pacing) args2.push('--pacing', pacing)
        const before2 = resultFiles()
        const code2 = await run(process.execPath, [...args2, ...o.rest.filter((a) => a !== '--no-anchor')], CACHE)
        if (code2 !== 0) process.stderr.write(`bench:ui: live bench.mjs exited with ${code2}\n`)
        const live = newResult(before2)
        if (plain && live) process.stdout.write(liveTable(plain, live, o.live))
      }
    }
    if (o.calibrate) {
      process.stderr.write('bench:ui: calibrate.mjs (SwiftShader instanced vs non-instanced draw cost)\n')
      await run(process.execPath, ['calibrate.mjs'], CACHE)
    }
    return code
  } finally {
    server.close()
  }
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`${err?.stack ?? err}\n`)
  process.exit(1)
})
