/**
 * The layout in a Web Worker: answers each request in order (see protocol.ts). Created by
 * `createLayout()` as `new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' })`.
 */
import { createLayoutHandler, transferables, type LayoutRequest } from './protocol.ts'
import type { LayoutOptions } from './hierarchy-layout.ts'

type Message = { type: 'init'; options?: LayoutOptions } | { type: 'request'; request: LayoutRequest }

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Message>) => void) | null
  postMessage(message: unknown, transfer: Transferable[]): void
}

let handle = createLayoutHandler()

scope.onmessage = (event) => {
  const message = event.data
  if (message.type === 'init') {
    handle = createLayoutHandler(message.options)
    return
  }
  try {
    const response = handle(message.request)
    scope.postMessage({ ok: true, response }, transferables(response))
  } catch (error) {
    scope.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }, [])
  }
}
