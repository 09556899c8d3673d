/**
 * End to end with the real drift analyzer: terraform-state (expected) and terraform-state (observed,
 * a refreshed copy with known edits) feed `drift`, which reports exactly those edits.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { from, lastValueFrom, toArray } from 'rxjs'
import { afterAll, describe, expect, it } from 'vitest'
import { createTerraformState } from './index.ts'
import { BUILTIN_PLUGINS } from 'tfdrift/plugins'
import type { Drift, PipelineItem, PluginDefinition } from 'tfdrift'
import { testContext, take } from 'tfdrift/testing'
import { corpusDir } from '../../../test/support/corpus.ts'

const driftPlugin = BUILTIN_PLUGINS.find((p) => p.name === 'drift') as PluginDefinition<'analysis'>

describe.runIf(corpusDir())('terraform-state → drift', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfdrift-pipeline-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reports the injected modification and deletion, nothing else', async () => {
    const fixture = join(corpusDir()!, 'tfstate', 'Kong__kong-terraform-aws__vpc__terraform.tfstate')
    const doc = JSON.parse(readFileSync(fixture, 'utf8'))
    const managed = doc.resources.filter((r: { mode: string }) => r.mode === 'managed')
    const edited = managed[0]
    const removed = managed[1]
    edited.instances[0].attributes.tags = { ...(edited.instances[0].attributes.tags ?? {}), Owner: 'someone-else' }
    doc.resources = doc.resources.filter((r: unknown) => r !== removed)
    writeFileSync(join(dir, 'live.tfstate'), JSON.stringify(doc))

    const ctx = testContext()
    const expected = await take(createTerraformState(ctx, { paths: [fixture], refresh: 0 }).output, 5)
    const observed = await take(createTerraformState(ctx, { paths: [join(dir, 'live.tfstate')], role: 'observed', refresh: 0 }).output, 5)
    const { operator } = await driftPlugin.create(ctx, {})
    const out = await lastValueFrom(from<PipelineItem[]>([...expected, ...observed]).pipe(operator, toArray()))
    const drifts = out.filter((i) => i.type === 'drift.detected').map((i) => i.data as Drift)
    const addr = (r: { type: string; name: string }) => `${r.type}.${r.name}`
    expect(drifts.map((d) => [d.kind, d.address]).sort()).toEqual([['missing', addr(removed)], ['modified', addr(edited)]].sort())
    const modified = drifts.find((d) => d.kind === 'modified')!
    expect(modified.changes!.map((c) => c.path)).toContain('tags.Owner')
  })
})
