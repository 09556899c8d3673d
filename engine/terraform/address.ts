/**
 * Terraform resource instance addresses: `module.a["x"].module.b[0].data.aws_ami.u["k"]`.
 * Index keys are numbers (`count`) or strings (`for_each`); string keys are JSON-quoted so that
 * `[0]` and `["0"]` stay distinct, exactly as Terraform prints them.
 */
import { TfdriftError } from '../errors.ts'

/** A `count` index (number) or `for_each` key (string). */
export type IndexKey = string | number

/** One `module.<name>[key]` step of a module path. */
export interface ModuleStep {
  name: string
  key?: IndexKey
}

/** The parts of a resource instance address. */
export interface AddressParts {
  /** Module path as Terraform prints it (`module.a["x"].module.b`), absent for the root module. */
  module?: string
  mode: 'managed' | 'data'
  type: string
  name: string
  index_key?: IndexKey
}

/** A parsed address: its parts plus the module path split into steps. */
export interface ParsedAddress extends AddressParts {
  modules: ModuleStep[]
}

/** `[0]`, `["a"]`, or `''` when there is no key. */
export function formatIndexKey(key: IndexKey | undefined | null): string {
  if (key === undefined || key === null) return ''
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`
}

/** `module.a["x"].module.b` from steps; `undefined` for the root module. */
export function formatModulePath(steps: readonly ModuleStep[]): string | undefined {
  if (steps.length === 0) return undefined
  return steps.map((s) => `module.${s.name}${formatIndexKey(s.key)}`).join('.')
}

/** The full instance address from its parts. */
export function formatAddress(parts: AddressParts): string {
  const prefix = parts.module ? `${parts.module}.` : ''
  const data = parts.mode === 'data' ? 'data.' : ''
  return `${prefix}${data}${parts.type}.${parts.name}${formatIndexKey(parts.index_key)}`
}

/** The address without the instance key (`module.a["x"].aws_subnet.b`): the resource's config address within its module instance. */
export function formatResourceAddress(parts: AddressParts): string {
  return formatAddress({ ...parts, index_key: undefined })
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/

/** Reads `[key]` at `pos`; returns the key and the position after `]`. */
function readKey(s: string, pos: number, fail: (why: string) => never): { key: IndexKey; end: number } {
  let i = pos + 1
  if (s[i] === '"') {
    let j = i + 1
    while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1
    if (j >= s.length) fail('unterminated string key')
    let key: string
    try {
      key = JSON.parse(s.slice(i, j + 1)) as string
    } catch {
      fail('invalid string key escape')
    }
    if (s[j + 1] !== ']') fail('expected ] after string key')
    return { key, end: j + 2 }
  }
  const m = /^-?\d+/.exec(s.slice(i))
  if (!m) fail('index key must be a number or a JSON string')
  i += m[0].length
  if (s[i] !== ']') fail('expected ] after number key')
  return { key: Number(m[0]), end: i + 1 }
}

/** Parses a full instance address; throws TFD_ERR_ADDRESS_INVALID naming the problem. */
export function parseAddress(address: string): ParsedAddress {
  const fail = (why: string): never => {
    throw new TfdriftError('TFD_ERR_ADDRESS_INVALID', `Invalid Terraform address ${JSON.stringify(address)}: ${why}.`)
  }
  let pos = 0
  const ident = (): string => {
    const m = IDENT.exec(address.slice(pos))
    if (!m) fail(`expected a name at offset ${pos}`)
    pos += m![0].length
    return m![0]
  }
  const dot = () => {
    if (address[pos] !== '.') fail(`expected "." at offset ${pos}`)
    pos++
  }
  const modules: ModuleStep[] = []
  while (address.startsWith('module.', pos)) {
    pos += 'module.'.length
    const step: ModuleStep = { name: ident() }
    if (address[pos] === '[') {
      const k = readKey(address, pos, fail)
      step.key = k.key
      pos = k.end
    }
    modules.push(step)
    dot()
  }
  let mode: 'managed' | 'data' = 'managed'
  if (address.startsWith('data.', pos)) {
    mode = 'data'
    pos += 'data.'.length
  }
  const type = ident()
  dot()
  const name = ident()
  let index_key: IndexKey | undefined
  if (address[pos] === '[') {
    const k = readKey(address, pos, fail)
    index_key = k.key
    pos = k.end
  }
  if (pos !== address.length) fail(`unexpected ${JSON.stringify(address.slice(pos))}`)
  const module = formatModulePath(modules)
  return {
    modules,
    ...(module ? { module } : {}),
    mode,
    type,
    name,
    ...(index_key === undefined ? {} : { index_key }),
  }
}

/** True when the string parses as an instance address. */
export function isAddress(address: string): boolean {
  try {
    parseAddress(address)
    return true
  } catch {
    return false
  }
}
