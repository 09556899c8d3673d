/** Discovery and source nodes: the plugin's output feeds downstream, pulled on demand when it is an AsyncIterable. */
import { Observable, type Subscription } from 'rxjs'
import type { PipelineItem, ProducerInstance } from '../plugin-api.ts'
import { NodeSubscriber, SupervisedNode } from './node.ts'

/** A discovery or source node: subscribes to the plugin's output (Observable, or AsyncIterable pulled on demand). */
export class ProducerNode extends SupervisedNode {
  private subscription: Subscription | undefined
  private iterator: AsyncIterator<PipelineItem> | undefined

  /** Discovery items carry their node's id, so analyzers know whose first snapshot they have (a copy: the plugin may reuse its objects). */
  override emit(item: PipelineItem): void {
    super.emit(this.definition.kind === 'discovery' && item.origin === undefined ? { ...item, origin: this.node.id } : item)
  }

  protected checkInstance(instance: unknown): void {
    const output = (instance as ProducerInstance | undefined)?.output
    if (!output || (!(output instanceof Observable) && typeof (output as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (output as unknown as Observable<unknown>).subscribe !== 'function')) {
      throw new Error(`${this.definition.kind} plugin "${this.definition.name}" must return { output: Observable | AsyncIterable }`)
    }
  }

  protected attach(instance: unknown): void {
    const output = (instance as ProducerInstance).output
    if (typeof (output as Observable<PipelineItem>).subscribe === 'function') {
      const sub = (output as Observable<PipelineItem>).subscribe(new NodeSubscriber(this, () => this.finished()))
      if (this.state === 'running') this.subscription = sub
      else sub.unsubscribe()
      return
    }
    void this.pump((output as AsyncIterable<PipelineItem>)[Symbol.asyncIterator](), this.abort.signal)
  }

  /** Pulls an AsyncIterable only while downstream has room. */
  private async pump(iterator: AsyncIterator<PipelineItem>, signal: AbortSignal): Promise<void> {
    this.iterator = iterator
    try {
      while (!signal.aborted) {
        if (this.blockedSink()) await this.ready()
        if (signal.aborted) break
        const result = await iterator.next()
        if (result.done || signal.aborted) break
        this.emit(result.value)
      }
      if (!signal.aborted) this.finished()
    } catch (error) {
      if (!signal.aborted) this.fail(error, 'TFD_ERR_PLUGIN_RUNTIME')
    }
  }

  private finished(): void {
    if (this.state !== 'running') return
    this.state = 'completed'
    this.log.debug('Producer completed.')
    this.completion.resolve()
  }

  protected detach(): void {
    this.subscription?.unsubscribe()
    this.subscription = undefined
    const it = this.iterator
    this.iterator = undefined
    if (it?.return) Promise.resolve().then(() => it.return!()).catch(() => {})
  }
}

