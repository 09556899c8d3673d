/**
 * Change sets over real HTTP, on both stores: admin generates (ids, filter, all open), read downloads the
 * zip; every path is tenant-scoped; bad selections answer 4xx with TFD_ERR_* codes; the zip holds the
 * files in dependency order and `unzip -t` accepts it.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync, strFromU8 } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../engine/bus/memory-bus.ts'
import { seed } from './fixtures.ts'
import { makeStore, startRest, TOKENS, type Harness, type StoreKind } from './harness.ts'

const post = (body: unknown, accept?: string): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) } })

for (const kind of ['memory', 'sqlite'] as StoreKind[]) {
  describe(`change sets (${kind} store)`, () => {
    let h: Harness
    let bus: MemoryBus
    let dispose: () => Promise<void>
    beforeAll(async () => {
      const made = makeStore(kind)
      dispose = made.dispose
      await seed(made.store)
      // The live side of aws_instance.web, for accepted values (user_data is a secret; tags a map with an odd key).
      await made.store.saveSnapshot('acme', 'prod', {
        kind: 'observed', source: 'aws://live', taken_at: '2026-11-22T10:00:00.000Z',
        resources: [{ address: 'aws_instance.web', mode: 'managed', type: 'aws_instance', name: 'web', provider: 'aws', resource_id: 'i-web',
          attributes: { id: 'i-web', instance_type: 't3.large', user_data: 'secret-actual', tags: { Name: 'web "1"', 'team/owner': '${oops}' } }, sensitive_paths: [['user_data']] }],
      })
      await made.store.flush()
      bus = new MemoryBus()
      h = await startRest(made.store, bus)
    })
    afterAll(async () => { await h.close(); await bus.close(); await dispose() })

    it('generating needs admin; a read token gets 403 and nothing is stored', async () => {
      const denied = await h.call('/api/v1/remediations/change-sets', TOKENS.acmeRead, post({ all_open: true }))
      expect(denied.status).toBe(403)
      expect(denied.body.error.code).toBe('TFD_ERR_SCOPE_MISSING')
      expect((await h.call('/api/v1/remediations/change-sets', TOKENS.acmeRead)).body.data.items).toEqual([])
    })

    it('all open: one change set in dependency order, stored, downloadable as a zip with read scope', async () => {
      const { status, body } = await h.call('/api/v1/remediations/change-sets', TOKENS.acmeAdmin, post({ all_open: true }))
      expect(status).toBe(200)
      const set = body.data
      expect(set).toMatchObject({ mode: 'revert', created_by: 'acme-admin', download: `/api/v1/remediations/change-sets/${set.id}/plan.zip` })
      // d-gcs is resolved: not selected. The missing subnet instance is forgotten first; then the import and the revert.
      expect(set.steps.map((s: any) => [s.action, s.address])).toEqual([
        ['state_rm', 'aws_subnet.a[1]'], ['import', 'aws_security_group.sg_123'], ['revert', 'aws_instance.web'],
      ])
      expect(set.drift_ids.sort()).toEqual(['d-sg', 'd-subnet', 'd-web'])
      const files = Object.fromEntries(set.files.map((f: any) => [f.path, f.content]))
      expect(Object.keys(files).sort()).toEqual(['README.md', 'imports.tf', 'revert.sh', 'state-rm.sh'])
      expect(files['imports.tf']).toContain('import {\n  to = aws_security_group.sg_123\n  id = "sg-123"\n}')
      expect(files['revert.sh']).toContain("-target='aws_instance.web'")
      expect(JSON.stringify(set)).not.toMatch(/secret-(actual|expected)|hunter2/)

      const zip = await fetch(`${h.base}${set.download}`, { headers: { authorization: `Bearer ${TOKENS.acmeRead}` } })
      expect(zip.status).toBe(200)
      expect(zip.headers.get('content-type')).toBe('application/zip')
      expect(zip.headers.get('content-disposition')).toBe(`attachment; filename="tfdrift-change-set-${set.id}.zip"`)
      const bytes = new Uint8Array(await zip.arrayBuffer())
      const entries = unzipSync(bytes)
      const folder = `tfdrift-change-set-${set.id}`
      expect(Object.keys(entries).sort()).toEqual(['README.md', 'imports.tf', 'plan.json', 'revert.sh', 'state-rm.sh'].map((f) => `${folder}/${f}`))
      expect(strFromU8(entries[`${folder}/imports.tf`]!)).toBe(files['imports.tf'])
      expect(JSON.parse(strFromU8(entries[`${folder}/plan.json`]!)).steps).toEqual(set.steps)
      // An independent reader agrees (Info-ZIP's integrity test).
      const dir = mkdtempSync(join(tmpdir(), 'tfdrift-zip-'))
      try {
        writeFileSync(join(dir, 'plan.zip'), bytes)
        const test = spawnSync('unzip', ['-t', join(dir, 'plan.zip')], { encoding: 'utf8' })
        if (!test.error) expect(test.status, test.stdout).toBe(0)
      } finally { rmSync(dir, { recursive: true, force: true }) }

      const shown = await h.call(`/api/v1/remediations/change-sets/${set.id}`, TOKENS.acmeRead)
      expect(shown.body.data).toEqual(set)
      expect((await h.call('/api/v1/remediations/change-sets', TOKENS.acmeRead)).body.data.items).toEqual([
        expect.objectContaining({ id: set.id, mode: 'revert', drift_count: 3, step_count: 3, created_by: 'acme-admin' }),
      ])
    })

    it('another tenant cannot see, download or select acme\'s change sets and drifts', async () => {
      const { body } = await h.call('/api/v1/remediations/change-sets', TOKENS.acmeAdmin, post({ drift_ids: ['d-web'] }))
      const id = body.data.id
      for (const path of [`/api/v1/remediations/change-sets/${id}`, `/api/v1/remediations/change-sets/${id}/plan.zip`]) {
        const r = await h.call(path, TOKENS.globexRead)
        expect(r.status, path).toBe(404)
        expect(r.body.error.code).toBe('TFD_ERR_NOT_FOUND')
      }
      expect((await h.call('/api/v1/remediations/change-sets', TOKENS.globexRead)).body.data.items).toEqual([])
      const cross = await h.call('/api/v1/remediations/change-sets', TOKENS.globexAdmin, post({ drift_ids: ['d-web'] }))
      expect(cross.status).toBe(404)
      expect(cross.body.error).toMatchObject({ code: 'TFD_ERR_NOT_FOUND', message: expect.stringContaining("'d-web'") })
      const own = await h.call('/api/v1/remediations/change-sets', TOKENS.globexAdmin, post({ all_open: true }))
      expect(own.body.data.drift_ids).toEqual(['globex-d1'])
    })

    it('accept mode writes the live values as HCL, secrets as comments; Accept: application/zip answers the zip', async () => {
      const { status, body } = await h.call('/api/v1/remediations/change-sets', TOKENS.acmeAdmin, post({ filter: { kind: 'modified' }, mode: 'accept' }))
      expect(status).toBe(200)
      const edits = body.data.files.find((f: any) => f.path === 'accept-edits.hcl').content as string
      expect(edits).toContain('resource "aws_instance" "web" {\n  instance_type = "t3.large"\n  # user_data: changed to a sensitive value; set it from your secret store, never inline\n}')
      expect(edits).not.toContain('secret-actual')
      const zip = await fetch(`${h.base}/api/v1/remediations/change-sets`, { ...post({ drift_ids: ['d-web'], mode: 'accept' }, 'application/zip'), headers: { 'content-type': 'application/json', accept: 'application/zip', authorization: `Bearer ${TOKENS.acmeAdmin}` } })
      expect(zip.headers.get('content-type')).toBe('application/zip')
      const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()))
      expect(Object.keys(entries).some((p) => p.endsWith('/accept-edits.hcl'))).toBe(true)
    })

    it('answers bad selections with TFD_ERR_* codes', async () => {
      const cases: Array<[unknown, number, string]> = [
        [{}, 400, 'TFD_ERR_REQUEST_INVALID'],
        [{ all_open: true, drift_ids: ['d-web'] }, 400, 'TFD_ERR_REQUEST_INVALID'],
        [{ all_open: true, mode: 'yolo' }, 400, 'TFD_ERR_REQUEST_INVALID'],
        [{ drift_ids: [] }, 400, 'TFD_ERR_REQUEST_INVALID'],
        [{ filter: { resource_type: 'aws_nothing' } }, 422, 'TFD_ERR_CHANGE_SET_EMPTY'],
        [{ drift_ids: ['nope'] }, 404, 'TFD_ERR_NOT_FOUND'],
      ]
      for (const [body, status, code] of cases) {
        const r = await h.call('/api/v1/remediations/change-sets', TOKENS.acmeAdmin, post(body))
        expect([JSON.stringify(body), r.status, r.body?.error?.code]).toEqual([JSON.stringify(body), status, code])
      }
      expect((await h.call('/api/v1/remediations/change-sets/nope/plan.zip', TOKENS.acmeRead)).status).toBe(404)
    })
  })
}
