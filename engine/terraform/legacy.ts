/**
 * State format v3 (Terraform 0.7 – 0.11): `modules[]` with a `path` (`["root","net"]`) and
 * `resources` keyed `type.name[.index]` / `data.type.name[.index]`, each with a `primary` instance,
 * `deposed` instances and flatmap attributes (see flatmap.ts).
 */
import type { ResourceInstance, Snapshot } from '../model.ts'
import { formatAddress, formatModulePath } from './address.ts'
import { pointer, readerError } from './errors.ts'
import { unflatten } from './flatmap.ts'
import { providerShortName } from './provider.ts'
import { SENSITIVE_MASK } from './paths.ts'

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Splits a v3 resource key (`data.aws_ami.x.2`) into mode, type, name and count index. */
export function parseLegacyKey(key: string): { mode: 'managed' | 'data'; type: string; name: string; index_key?: number } | undefined {
  const parts = key.split('.')
  let mode: 'managed' | 'data' = 'managed'
  if (parts[0] === 'data') {
    mode = 'data'
    parts.shift()
  }
  if (parts.length < 2 || parts.length > 3) return undefined
  const [type, name, idx] = parts as [string, string, string | undefined]
  if (!type || !name) return undefined
  if (idx === undefined) return { mode, type, name }
  if (!/^\d+$/.test(idx)) return undefined
  return { mode, type, name, index_key: Number(idx) }
}

/** Reads the v3 `modules` array into instances and root outputs; throws TFD_ERR_STATE_* with pointers. */
export function readLegacyModules(modules: unknown, source: string): { resources: ResourceInstance[]; outputs?: Snapshot['outputs'] } {
  if (!Array.isArray(modules)) throw readerError('TFD_ERR_STATE_INVALID', source, '/modules', 'a version 3 state needs a "modules" array.')
  const resources: ResourceInstance[] = []
  const seen = new Set<string>()
  let outputs: Snapshot['outputs']
  modules.forEach((mod, m) => {
    const mat = pointer('modules', m)
    if (!isObj(mod)) throw readerError('TFD_ERR_STATE_INVALID', source, mat, 'a module must be an object.')
    const path = mod.path
    if (!Array.isArray(path) || path[0] !== 'root' || !path.every((p) => typeof p === 'string')) {
      throw readerError('TFD_ERR_STATE_INVALID', source, `${mat}/path`, 'path must be a list of names starting with "root".')
    }
    const module = formatModulePath((path as string[]).slice(1).map((name) => ({ name })))
    if (!module && isObj(mod.outputs)) outputs = legacyOutputs(mod.outputs)
    const res = mod.resources ?? {}
    if (!isObj(res)) throw readerError('TFD_ERR_STATE_INVALID', source, `${mat}/resources`, 'resources must be an object.')
    for (const [key, raw] of Object.entries(res)) {
      const rat = `${mat}/resources/${pointer(key).slice(1)}`
      const parsed = parseLegacyKey(key)
      if (!parsed) throw readerError('TFD_ERR_STATE_INVALID', source, rat, `resource key ${JSON.stringify(key)} is not type.name[.index].`)
      if (!isObj(raw)) throw readerError('TFD_ERR_STATE_INVALID', source, rat, 'a resource must be an object.')
      const type = typeof raw.type === 'string' && raw.type ? raw.type : parsed.type
      const parts = { ...(module ? { module } : {}), ...parsed, type }
      const address = formatAddress(parts)
      const provider = typeof raw.provider === 'string' && raw.provider ? raw.provider : undefined
      // 0.7 – 0.11 wrote `aws_subnet.a.*` and `aws_subnet.a.0` here; dependencies name resources.
      const deps = Array.isArray(raw.depends_on)
        ? (raw.depends_on as unknown[]).filter((d): d is string => typeof d === 'string')
          .map((d) => d.replace(/\.(\*|\d+)$/, ''))
          .map((d) => (module && !d.startsWith('module.') ? `${module}.${d}` : d))
        : []
      const add = (inst: unknown, iat: string, deposed?: string) => {
        if (!isObj(inst)) throw readerError('TFD_ERR_STATE_INVALID', source, iat, 'an instance must be an object.')
        const flat = inst.attributes ?? {}
        if (!isObj(flat)) throw readerError('TFD_ERR_STATE_INVALID', source, `${iat}/attributes`, 'attributes must be an object.')
        const dupKey = deposed ? `${address}\u0000${deposed}` : address
        if (seen.has(dupKey)) throw readerError('TFD_ERR_STATE_DUPLICATE', source, iat, `resource instance ${address} appears more than once.`)
        seen.add(dupKey)
        const attributes = unflatten(flat)
        const r: ResourceInstance = { address, ...parts, provider: providerShortName(provider, type), attributes }
        if (provider) r.provider_address = provider
        const id = typeof inst.id === 'string' && inst.id ? inst.id : attributes.id
        if (typeof id === 'string' && id) r.resource_id = id
        if (typeof attributes.arn === 'string' && attributes.arn) r.arn = attributes.arn
        if (deps.length) r.dependencies = deps
        if (inst.tainted === true) r.status = 'tainted'
        if (deposed) r.deposed = deposed
        const schema = isObj(inst.meta) ? Number(inst.meta.schema_version) : NaN
        if (Number.isFinite(schema)) r.schema_version = schema
        resources.push(r)
      }
      if (raw.primary !== undefined && raw.primary !== null) add(raw.primary, `${rat}/primary`)
      if (Array.isArray(raw.deposed)) {
        // v3 deposed objects have no key of their own; their position stands in for one.
        raw.deposed.forEach((d, k) => add(d, `${rat}/deposed/${k}`, `legacy-${k}`))
      }
    }
  })
  return { resources, ...(outputs ? { outputs } : {}) }
}

function legacyOutputs(raw: Record<string, unknown>): NonNullable<Snapshot['outputs']> {
  const out: NonNullable<Snapshot['outputs']> = {}
  for (const [name, o] of Object.entries(raw)) {
    // 0.7-era outputs are bare strings; later ones are { sensitive, type, value }.
    if (!isObj(o)) {
      out[name] = { value: o }
      continue
    }
    const sensitive = o.sensitive === true
    out[name] = { value: sensitive ? SENSITIVE_MASK : o.value, ...(sensitive ? { sensitive } : {}), ...(o.type === undefined ? {} : { type: o.type }) }
  }
  return out
}
