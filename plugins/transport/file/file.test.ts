/** The file transport under the engine's delivery loop: NDJSON lines in offset order, rotation by size, resume. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MemoryBus, MemoryStore, testContext } from 'tfdrift/testing'
import type { Envelope } from 'tfdrift'
import { publishDrifts, startRunner } from '../../../test/support/delivery.ts'
import { until } from '../../../test/server/support.ts'
import { createFileTransport } from './index.ts'

const dir = mkdtempSync(join(tmpdir(), 'tfdrift-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('file transport', () => {
  it('appends NDJSON in offset order, rotates by size keeping max_files, and resumes after a restart', async () => {
    const path = join(dir, 'out', 'drifts.ndjson')
    const bus = new MemoryBus()
    const store = new MemoryStore()
    const make = () => createFileTransport(testContext(), { path, max_bytes: 4096, max_files: 2, batch_size: 5, start_from: 'oldest' })
    let transport = make()
    let runner = await startRunner(bus, store, transport, 'file')
    await publishDrifts(bus, 20)
    await until(() => runner.stats()[0]!.delivered === 20, 'first 20')
    await runner.stop(); await transport.close?.()
    await publishDrifts(bus, 20, 20)
    transport = make()
    runner = await startRunner(bus, store, transport, 'file')
    await until(() => runner.stats()[0]!.delivered === 20, 'next 20')
    await runner.stop(); await transport.close?.()
    await bus.close()

    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['drifts.ndjson', 'drifts.ndjson.1', 'drifts.ndjson.2'])
    const read = (f: string) => readFileSync(join(dir, 'out', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Envelope)
    const kept = [...read('drifts.ndjson.2'), ...read('drifts.ndjson.1'), ...read('drifts.ndjson')]
    for (const f of ['drifts.ndjson.1', 'drifts.ndjson.2']) expect(readFileSync(join(dir, 'out', f)).length).toBeLessThanOrEqual(4096)
    // The oldest rotated file was deleted; what is kept is a contiguous tail ending at offset 40.
    const offsets = kept.map((e) => e.offset)
    expect(offsets.at(-1)).toBe(40)
    expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => 41 - offsets.length + i))
    expect(offsets.length).toBeLessThan(40)
  })
})
