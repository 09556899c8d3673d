/**
 * Binding the port. This uWS build sets neither SO_REUSEADDR nor SO_REUSEPORT on its listen socket,
 * so after a restart (graceful or `kill -9`) the port stays unbindable while the previous process's
 * closed connections sit in TIME_WAIT (60 s on Linux) — a restart with browsers connected would fail.
 * A refused bind is therefore retried while nothing actually listens there (a connect is refused);
 * a port another server really holds fails at once.
 */
import { connect } from 'node:net'
import type uWS from 'uWebSockets.js'
import type { Logger } from 'pino'
import { TfdriftError } from '../errors.ts'

/** How long a bind is retried while the port is only held by closed connections (TIME_WAIT is 60 s). */
export const DEFAULT_LISTEN_WAIT_MS = 75_000
const RETRY_MS = 250

function tryListen(app: uWS.TemplatedApp, host: string, port: number): Promise<uWS.us_listen_socket | false> {
  return new Promise((resolve) => app.listen(host, port, (token) => resolve(token)))
}

/** Whether a server accepts connections on host:port. */
function someoneListens(host: string, port: number): Promise<boolean> {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return new Promise((resolve) => {
    const socket = connect({ host: target, port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** Listens on host:port, waiting out TIME_WAIT leftovers of a previous run; TFD_ERR_SERVER_LISTEN otherwise. */
export async function listen(app: uWS.TemplatedApp, host: string, port: number, log: Logger, waitMs = DEFAULT_LISTEN_WAIT_MS): Promise<uWS.us_listen_socket> {
  const deadline = Date.now() + waitMs
  let warned = false
  for (;;) {
    const token = await tryListen(app, host, port)
    if (token) return token
    const busy = port === 0 || await someoneListens(host, port)
    if (busy || Date.now() >= deadline) {
      throw new TfdriftError('TFD_ERR_SERVER_LISTEN', busy
        ? `Cannot listen on ${host}:${port}: another process serves there.`
        : `Cannot listen on ${host}:${port}: still held after ${Math.round(waitMs / 1000)} s (connections of a previous run in TIME_WAIT?).`)
    }
    if (!warned) {
      warned = true
      log.warn({ host, port }, `${host}:${port} is still held by closed connections of a previous run (TIME_WAIT); retrying for up to ${Math.round(waitMs / 1000)} s`)
    }
    await new Promise((r) => setTimeout(r, RETRY_MS))
  }
}
