/**
 * Where a process's CPU went, from a V8 CPU profile taken with `node:inspector` around one piece of work.
 * A sample belongs to whoever's code is nearest its leaf (Node's Buffer code called by the SDK's parser is
 * the SDK's), and SDK samples under a response deserialiser count as deserialisation.
 */
import { Session } from 'node:inspector/promises'

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const TFDRIFT = (url: string) => url.includes('/tfdrift-plugin-aws/src/') || (url.includes('/engine/') && !url.includes('node_modules'))
const SDK = (url: string) => /node_modules\/@(aws-sdk|smithy)\//.test(url)
const DESERIALISE = /^(deserializeResponse|parseXML)$/

/** The role of one sample: whose code (the first non-Node frame from the leaf) and, in the SDK, which half. */
function role(stack: ProfileNode['callFrame'][]): string {
  if (stack[0]!.functionName === '(garbage collector)') return 'gc'
  const owner = stack.find((f) => f.url !== '' && !f.url.startsWith('node:'))
  if (owner && TFDRIFT(owner.url)) return 'tfdrift (mapping, paging, scheduling)'
  if (owner && SDK(owner.url)) return stack.some((f) => DESERIALISE.test(f.functionName)) ? 'SDK: deserialise (XML/JSON parse, schema)' : 'SDK: serialise, sign, middleware, HTTP handler'
  return stack.some((f) => f.url.startsWith('node:')) ? 'node: http, net, streams' : 'other (V8, native)'
}

/** Runs `work` under the profiler and returns its result with the CPU ms per role. */
export async function profileCpu<T>(work: () => Promise<T>): Promise<{ result: T; roles: Record<string, number> }> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  const result = await work()
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile }
  session.disconnect()
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const roles: Record<string, number> = {}
  profile.samples.forEach((id, i) => {
    const leaf = byId.get(id)
    if (!leaf || leaf.callFrame.functionName === '(idle)' || leaf.callFrame.functionName === '(program)') return
    const stack: ProfileNode['callFrame'][] = []
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id)!)) stack.push(node.callFrame)
    const r = role(stack)
    roles[r] = (roles[r] ?? 0) + profile.timeDeltas[i]! / 1000
  })
  return { result, roles }
}
