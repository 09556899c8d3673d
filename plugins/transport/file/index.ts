/**
 * `file` transport: appends envelopes as NDJSON, rotating by size (`x.ndjson` → `x.ndjson.1` → …,
 * keeping `max_files`). Fed by the engine's delivery loop like every delivering transport, so a restart
 * resumes after the checkpoint; a crash may repeat the last batch, whose lines carry their envelope ids.
 */
import { createRequire } from 'node:module'
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { definePlugin, nodeHelper, type DeliveringTransportInstance, type PluginContext } from '../../../engine/plugin-api.ts'
import { deliverySpec, withDeliveryOptions, type DeliveryOptions } from '../../../engine/delivery/options.ts'

/** Options of the `file` transport (see options.schema.json and the shared delivery options). */
export interface FileOptions extends DeliveryOptions {
  path?: string
  max_bytes?: number
  max_files?: number
}

const optionsSchema = withDeliveryOptions(createRequire(import.meta.url)('./options.schema.json') as Record<string, unknown>, { batch_size: 500 })

export function createFileTransport(ctx: PluginContext, options: FileOptions): DeliveringTransportInstance {
  const file = path.resolve(options.path ?? '.tfdrift/events.ndjson')
  const maxBytes = options.max_bytes ?? 10 * 1024 * 1024
  const maxFiles = options.max_files ?? 5
  let handle: FileHandle | undefined
  let size = 0

  const openFile = async () => {
    await mkdir(path.dirname(file), { recursive: true })
    handle = await open(file, 'a')
    size = (await stat(file)).size
  }
  const rotate = async () => {
    await handle?.close()
    handle = undefined
    await rm(`${file}.${maxFiles}`, { force: true })
    for (let i = maxFiles - 1; i >= 1; i--) await rename(`${file}.${i}`, `${file}.${i + 1}`).catch(() => {})
    await rename(file, `${file}.1`)
    await openFile()
  }

  return {
    // concurrency 1: lines of one stream stay in offset order and rotation never races a write.
    delivery: deliverySpec({ batch_size: 500, ...options, concurrency: 1 }),
    async deliver(batch) {
      if (!handle) await openFile()
      const text = batch.envelopes.map((e) => `${JSON.stringify(e)}\n`).join('')
      const bytes = Buffer.byteLength(text)
      if (size > 0 && size + bytes > maxBytes) await rotate()
      await handle!.write(text)
      size += bytes
      return { outcome: 'delivered', up_to: batch.envelopes[batch.envelopes.length - 1]!.offset }
    },
    async close() {
      await handle?.close()
      handle = undefined
      ctx.logger.debug({ file }, 'File transport closed.')
    },
  }
}

export default definePlugin<'transport', FileOptions>({
  name: 'file',
  kind: 'transport',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Appends events to a size-rotated NDJSON file, at least once, resuming from a stored checkpoint.',
  optionsSchema,
  create(ctx, options) {
    return createFileTransport(ctx, options)
  },
})

/** Config helper: `file({ path: '/var/log/tfdrift/drifts.ndjson', max_bytes: 100 * 1024 * 1024 })`. */
export const file = nodeHelper<FileOptions>('file')
