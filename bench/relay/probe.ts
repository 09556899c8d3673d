/**
 * Latency probe process: a few sampled WS subscribers in their own process, so that reading them is
 * not queued behind the bulk load generator's thousands of sockets (a Node process reads ~30k
 * socket events/s; with 10k subscribers in one process the last socket would be read ~0.3 s late).
 */
import { openMany, RawClient } from './client.ts'

const [port] = process.argv.slice(2).map(Number)
let latencies: number[] = []
const clients: RawClient[] = []
process.on('message', async (m: { cmd: 'open' | 'reset' | 'collect' | 'frames'; count?: number }) => {
  if (m.cmd === 'open') {
    // Opened between batches of bulk subscribers, so the probe samples every part of a fan-out round.
    clients.push(...(await openMany(m.count ?? 1, () => new RawClient({
      port, kind: 'ws', path: '/ws', subscribe: '{"type":"subscribe","topic":"events"}', sample: true, onLatency: (ms) => latencies.push(ms),
    }))))
    process.send!({ ok: true })
  } else if (m.cmd === 'reset') { latencies = []; for (const c of clients) c.frames = 0; process.send!({ ok: true }) }
  else if (m.cmd === 'frames') process.send!({ min: Math.min(...clients.map((c) => c.frames)) })
  else process.send!({ latencies })
})
process.send!({ ready: true })
