/** Serves the built dashboard (`ui/dist`) with an index.html fallback for client routes. */
import { readFile, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { extname, join, normalize, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8', '.wasm': 'application/wasm',
}

/** Picks the directory to serve: explicit, else the built dashboard `<root>/ui/dist` (the sources in `ui/` need Vite). */
export function resolveUiDir(explicit: string | undefined, root: string): string | undefined {
  if (explicit) return resolve(explicit)
  const dist = join(root, 'ui', 'dist')
  return existsSync(join(dist, 'index.html')) ? dist : undefined
}

/** What `/` answers when the dashboard was never built (`tfdrift run` without `npm start`'s build step). */
export const UNBUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>tfdrift</title>
<p>The dashboard is not built. Run <code>npm run build</code> (or start with <code>npm start</code>, which builds it when stale);
the API is served meanwhile under <code>/api/v1</code>.</p>`

export interface StaticFile { body: Buffer; type: string; cache: string }

/** Resolves a URL path inside `dir` (never outside it); unknown extension-less paths get index.html. */
export async function loadStatic(dir: string, urlPath: string): Promise<StaticFile | undefined> {
  let rel: string
  try {
    rel = decodeURIComponent(urlPath.split('?')[0])
  } catch {
    return undefined
  }
  if (rel.includes('\0')) return undefined
  const full = normalize(join(dir, rel))
  if (full !== dir && !full.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined
  const file = await fileAt(full) ?? await fileAt(join(full, 'index.html')) ?? (extname(rel) === '' ? await fileAt(join(dir, 'index.html')) : undefined)
  if (!file) return undefined
  const type = TYPES[extname(file)] ?? 'application/octet-stream'
  // Vite emits content-hashed names under assets/; everything else must be revalidated.
  const cache = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'
  return { body: await readFile(file), type, cache }
}

async function fileAt(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isFile() ? path : undefined
  } catch {
    return undefined
  }
}
