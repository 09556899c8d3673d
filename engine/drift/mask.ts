/**
 * Masking of sensitive values. A value is sensitive when state or plan marks its path sensitive
 * (`sensitive_paths`, plan `*_sensitive` maps) or when any key on its path is named like a secret.
 * Masked values never reach a drift, a log line or an output format.
 */
import type { AttributeChange, Drift, ResourceInstance } from '../model.ts'

/** What replaces a sensitive value in every output. */
export const MASK = '(sensitive)'

/** Attribute names that hold secrets whatever the schema says. */
const SECRET_NAME = /(password|passwd|secret|token|private_key|privatekey|api_key|apikey|access_key|client_key|passphrase|credential|kube_config|kubeconfig|kube_admin_config|connection_string|sas_url|auth_key|primary_key|secondary_key|bcrypt_hash|sensitive_)/i

/** True when a key name looks like it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/** True when `path` is at, below, or above (a block holding) any sensitive path, or crosses a secret-named key. */
export function isSensitivePath(path: ReadonlyArray<string | number>, sensitivePaths: ReadonlyArray<ReadonlyArray<string | number>> = []): boolean {
  for (const seg of path) if (typeof seg === 'string' && isSecretName(seg)) return true
  for (const sp of sensitivePaths) {
    const n = Math.min(sp.length, path.length)
    let same = true
    for (let i = 0; i < n; i++) if (String(sp[i]) !== String(path[i])) { same = false; break }
    if (same) return true
  }
  return false
}

/** Returns the change with its values masked when it is sensitive. */
export function maskChange(change: AttributeChange): AttributeChange {
  if (!change.sensitive) return change
  return { ...change, expected: change.expected == null ? change.expected : MASK, actual: change.actual == null ? change.actual : MASK }
}

/** Masks every sensitive change of a drift, and any secret-named path that was not flagged yet. */
export function maskDrift(drift: Drift): Drift {
  if (!drift.changes) return drift
  return {
    ...drift,
    changes: drift.changes.map((c) => maskChange(c.sensitive || isSensitivePath(c.path.split('.')) ? { ...c, sensitive: true } : c)),
  }
}

/**
 * A copy of the resource with every value at a `sensitive_paths` entry, and under every secret-named
 * key, replaced by the mask. Used by outputs that show whole resources (REST state, graph details).
 */
export function maskResource(resource: ResourceInstance): ResourceInstance {
  const paths = resource.sensitive_paths ?? []
  if (paths.length === 0 && !hasSecretName(resource.attributes)) return resource
  const attributes = structuredClone(resource.attributes)
  for (const path of paths) maskPath(attributes, path)
  maskSecretNames(attributes)
  return { ...resource, attributes }
}

function maskPath(root: unknown, path: ReadonlyArray<string | number>): void {
  if (path.length === 0) return
  let node = root as Record<string | number, unknown> | null
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== 'object') return
    node = node[path[i]!] as typeof node
  }
  const last = path[path.length - 1]!
  if (node !== null && typeof node === 'object' && last in node) node[last] = MASK
}

function hasSecretName(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  for (const [key, child] of Object.entries(value)) {
    if ((isSecretName(key) && child != null && child !== '') || hasSecretName(child)) return true
  }
  return false
}

function maskSecretNames(value: unknown): void {
  if (value === null || typeof value !== 'object') return
  const node = value as Record<string, unknown>
  for (const [key, child] of Object.entries(node)) {
    if (isSecretName(key) && child != null && child !== '' && (typeof child !== 'object' || Array.isArray(child) || Object.keys(child).length > 0)) node[key] = MASK
    else maskSecretNames(child)
  }
}
