/**
 * Change sets: one reviewable remediation for many drifts of the caller's tenant (`engine/remediation/change-set.ts`).
 * `POST /api/v1/remediations/change-sets` (admin: it stores the change set) selects drifts by ids, a
 * filter or all open ones and answers the change set as JSON — or as the zip itself with
 * `Accept: application/zip`; `GET …/change-sets`, `…/change-sets/:id` and `…/change-sets/:id/plan.zip`
 * (read) list, show and download stored ones. The newest MAX_STORED per tenant are kept.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Drift, DriftKind, DriftStatus, ResourceInstance, Severity } from '../../../model.ts'
import type { DriftQuery } from '../../../store/store.ts'
import type { RestContext } from '../index.ts'
import { newId } from '../../../ids.ts'
import { HttpError, notFound, principalOf } from '../http.ts'
import { buildChangeSet, type ChangeSet, type ChangeSetMode } from '../../../remediation/change-set.ts'
import { changeSetName, changeSetZip } from '../../../remediation/zip.ts'
import { driftKindEnum, errorSchema, ok, params, query, responses, severityEnum } from '../schemas.ts'

/** Most drifts one change set may hold. */
export const MAX_CHANGE_SET_DRIFTS = 5000
/** Change sets kept per tenant (the oldest are dropped). */
const MAX_STORED = 100
const INDEX_SCOPE = 'tfdrift:change-sets'
const setScope = (id: string) => `tfdrift:change-set:${id}`

interface Selection {
  drift_ids?: string[]
  filter?: { severity?: Severity; severity_min?: Severity; kind?: DriftKind; resource_type?: string; provider?: string; status?: DriftStatus }
  all_open?: boolean
  mode?: ChangeSetMode
}

interface IndexEntry { id: string; mode: ChangeSetMode; created_at: string; created_by: string; drift_count: number; step_count: number }

const str = { type: 'string' }
const stepSchema = {
  type: 'object',
  required: ['order', 'action', 'drift_id', 'kind', 'type', 'severity', 'address', 'file', 'depends_on'],
  properties: {
    order: { type: 'integer', description: '1-based position: apply in this order' },
    action: { type: 'string', enum: ['state_rm', 'removed', 'import', 'revert', 'accept'] },
    drift_id: str, kind: driftKindEnum, type: str, severity: severityEnum,
    address: { type: 'string', description: 'The address acted on (for an import: where the object is imported to)' },
    resource_id: str,
    file: { type: 'string', description: 'The file of the change set that holds this step' },
    depends_on: { type: 'array', items: str, description: 'Addresses of other steps this one directly depends on (resource graph)' },
  },
}
const indexSchema = {
  type: 'object',
  required: ['id', 'mode', 'created_at', 'created_by', 'drift_count', 'step_count'],
  properties: { id: str, mode: { type: 'string', enum: ['revert', 'accept'] }, created_at: str, created_by: str, drift_count: { type: 'integer' }, step_count: { type: 'integer' } },
}
const changeSetSchema = {
  type: 'object',
  required: ['id', 'mode', 'created_at', 'created_by', 'drift_ids', 'steps', 'skipped', 'files', 'download'],
  properties: {
    id: str, mode: { type: 'string', enum: ['revert', 'accept'] }, created_at: str, created_by: str,
    drift_ids: { type: 'array', items: str },
    steps: { type: 'array', items: stepSchema },
    skipped: { type: 'array', items: { type: 'object', required: ['drift_id', 'reason'], properties: { drift_id: str, reason: str } } },
    files: { type: 'array', items: { type: 'object', required: ['path', 'content'], properties: { path: str, content: str } } },
    download: { type: 'string', description: 'Path of the zip download' },
  },
}
const zipContent = { 'application/zip': { schema: { type: 'string', format: 'binary', description: 'The change set files in one folder, plus plan.json' } } }

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    drift_ids: { type: 'array', minItems: 1, maxItems: MAX_CHANGE_SET_DRIFTS, uniqueItems: true, items: { type: 'string', minLength: 1 }, description: 'These drifts (one of drift_ids, filter, all_open)' },
    filter: {
      type: 'object', additionalProperties: false, description: 'The drifts matching this filter (status defaults to open)',
      properties: {
        severity: severityEnum, severity_min: severityEnum, kind: driftKindEnum, resource_type: str, provider: str,
        status: { type: 'string', enum: ['open', 'acknowledged', 'snoozed'], default: 'open' },
      },
    },
    all_open: { type: 'boolean', const: true, description: 'Every open drift of the tenant' },
    mode: { type: 'string', enum: ['revert', 'accept'], default: 'revert', description: 'Modified drifts: revert (targeted plan) or accept (configuration edits with the live values)' },
  },
}

/** Registers the change-set routes under `/api/v1/remediations/change-sets`. */
export function registerChangeSetRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.post<{ Body: Selection }>('/api/v1/remediations/change-sets', {
    config: { scope: 'admin' },
    schema: {
      summary: 'Generate and store one change set for drifts chosen by ids, a filter or all open (admin scope): Terraform files in dependency order; JSON, or the zip with Accept: application/zip',
      tags: ['remediations'],
      querystring: query({}),
      body: bodySchema,
      response: { 200: { content: { 'application/json': { schema: ok(changeSetSchema) }, ...zipContent } }, '4xx': errorSchema, '5xx': errorSchema },
    },
  }, async (request, reply) => {
    const principal = principalOf(request)
    const body = request.body ?? {}
    const given = (['drift_ids', 'filter', 'all_open'] as const).filter((k) => body[k] !== undefined)
    if (given.length !== 1) {
      throw new HttpError(400, 'TFD_ERR_REQUEST_INVALID', `Give exactly one of drift_ids, filter or all_open${given.length ? ` (got ${given.join(', ')})` : ''}.`)
    }
    const drifts = await select(ctx, principal.tenant, body)
    if (drifts.length === 0) throw new HttpError(422, 'TFD_ERR_CHANGE_SET_EMPTY', 'No drift of your tenant matches this request; GET /api/v1/drifts lists them.')
    const mode = body.mode ?? 'revert'
    const [graph, live] = await Promise.all([
      ctx.graphs.get(principal.tenant),
      drifts.some((d) => d.kind === 'unmanaged' || (mode === 'accept' && d.kind === 'modified')) ? liveLookup(ctx, principal.tenant) : undefined,
    ])
    const now = ctx.clock.now()
    const set = buildChangeSet({ id: newId(now), mode, created_at: new Date(now).toISOString(), created_by: principal.name, drifts, graph, ...(live ? { live } : {}) })
    await save(ctx, principal.tenant, set)
    ctx.logger.info({ tenant: principal.tenant, change_set: set.id, by: principal.name, steps: set.steps.length, skipped: set.skipped.length }, 'Change set generated.')
    if (wantsZip(request)) return sendZip(reply, set)
    return { success: true, data: withDownload(set) }
  })

  app.get('/api/v1/remediations/change-sets', {
    schema: {
      summary: 'Stored change sets of your tenant, newest first (the newest 100 are kept)', tags: ['remediations'],
      querystring: query({}),
      response: responses({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: indexSchema } } }),
    },
  }, async (request) => {
    const index = [...(await ctx.store.loadPluginState(principalOf(request).tenant, INDEX_SCOPE)).values()] as IndexEntry[]
    return { success: true, data: { items: index.sort(newestFirst) } }
  })

  app.get<{ Params: { id: string } }>('/api/v1/remediations/change-sets/:id', {
    schema: {
      summary: 'One stored change set (steps, skipped drifts and file contents)', tags: ['remediations'],
      params: params({ id: { type: 'string', minLength: 1 } }),
      querystring: query({}),
      response: responses(changeSetSchema),
    },
  }, async (request) => {
    return { success: true, data: withDownload(await load(ctx, principalOf(request).tenant, request.params.id)) }
  })

  app.get<{ Params: { id: string } }>('/api/v1/remediations/change-sets/:id/plan.zip', {
    schema: {
      summary: 'Download a stored change set as a zip (read scope)', tags: ['remediations'],
      params: params({ id: { type: 'string', minLength: 1 } }),
      querystring: query({}),
      response: { 200: { content: zipContent }, '4xx': errorSchema, '5xx': errorSchema },
    },
  }, async (request, reply) => sendZip(reply, await load(ctx, principalOf(request).tenant, request.params.id)))
}

/** The drifts a request selects, tenant-scoped; 404 naming ids the tenant does not have, 413 past the limit. */
async function select(ctx: RestContext, tenant: string, body: Selection): Promise<Drift[]> {
  if (body.drift_ids) {
    const found = await Promise.all(body.drift_ids.map((id) => ctx.store.getDrift(tenant, id)))
    const unknown = body.drift_ids.filter((_, i) => !found[i])
    if (unknown.length) throw notFound(unknown.length === 1 ? 'drift' : 'drifts', unknown.slice(0, 10).join("', '"))
    return found as Drift[]
  }
  const query: DriftQuery = body.all_open ? { status: 'open' } : { ...body.filter, status: body.filter?.status ?? 'open' }
  const out: Drift[] = []
  let cursor: string | undefined
  do {
    const page = await ctx.store.listDrifts(tenant, { ...query, limit: 1000, ...(cursor ? { cursor } : {}) })
    out.push(...page.items)
    if (out.length > MAX_CHANGE_SET_DRIFTS) {
      throw new HttpError(413, 'TFD_ERR_CHANGE_SET_TOO_LARGE', `More than ${MAX_CHANGE_SET_DRIFTS} drifts match (${page.total}); narrow the filter and generate several change sets.`)
    }
    cursor = page.next_cursor
  } while (cursor)
  return out
}

/** The live object of a drift from the tenant's latest observed snapshots: by address, else by type and cloud id. */
async function liveLookup(ctx: RestContext, tenant: string): Promise<(drift: Drift) => ResourceInstance | undefined> {
  const byAddress = new Map<string, ResourceInstance>()
  const byTypeId = new Map<string, ResourceInstance>()
  for (const snapshot of await ctx.store.latestSnapshots(tenant, undefined, 'observed')) {
    for (const r of snapshot.resources) {
      if (r.address && !byAddress.has(r.address)) byAddress.set(r.address, r)
      if (r.resource_id && !byTypeId.has(`${r.type}\u0000${r.resource_id}`)) byTypeId.set(`${r.type}\u0000${r.resource_id}`, r)
    }
  }
  return (drift) => (drift.address ? byAddress.get(drift.address) : undefined) ?? (drift.resource_id ? byTypeId.get(`${drift.type}\u0000${drift.resource_id}`) : undefined)
}

async function save(ctx: RestContext, tenant: string, set: ChangeSet): Promise<void> {
  const entry: IndexEntry = { id: set.id, mode: set.mode, created_at: set.created_at, created_by: set.created_by, drift_count: set.drift_ids.length, step_count: set.steps.length }
  const index = [...(await ctx.store.loadPluginState(tenant, INDEX_SCOPE)).values()] as IndexEntry[]
  const dropped = [...index, entry].sort(newestFirst).slice(MAX_STORED)
  await ctx.store.savePluginState(tenant, setScope(set.id), [['set', set]])
  for (const old of dropped) await ctx.store.savePluginState(tenant, setScope(old.id), [['set', undefined]])
  await ctx.store.savePluginState(tenant, INDEX_SCOPE, [[set.id, entry], ...dropped.map((d) => [d.id, undefined] as const)])
  // Written in batches: the GET that follows must find it.
  await ctx.store.flush()
}

async function load(ctx: RestContext, tenant: string, id: string): Promise<ChangeSet> {
  const set = (await ctx.store.loadPluginState(tenant, setScope(id))).get('set') as ChangeSet | undefined
  if (!set) throw notFound('change set', id)
  return set
}

function newestFirst(a: IndexEntry, b: IndexEntry): number {
  return a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1
}

function withDownload(set: ChangeSet): ChangeSet & { download: string } {
  return { ...set, download: `/api/v1/remediations/change-sets/${encodeURIComponent(set.id)}/plan.zip` }
}

function wantsZip(request: FastifyRequest): boolean {
  return /\bapplication\/zip\b/i.test(String(request.headers.accept ?? ''))
}

function sendZip(reply: FastifyReply, set: ChangeSet): FastifyReply {
  return reply.type('application/zip').header('content-disposition', `attachment; filename="${changeSetName(set)}.zip"`).send(Buffer.from(changeSetZip(set)))
}
