/**
 * Who the dashboard talks as: asks `/api/v1/session` with the tab's token. 401 means a token is needed
 * (or the one held is bad); the demo server (no auth) answers with an anonymous read principal.
 */
import { ApiError, createApi, type Api } from './api.ts'
import type { Session } from './types.ts'

export type SessionResult =
  | { ok: true; api: Api; session: Session }
  | { ok: false; needToken: true; error?: string }

export async function openSession(token: string | undefined, base?: string): Promise<SessionResult> {
  const api = createApi({ token, base })
  try {
    return { ok: true, api, session: await api.get<Session>('/session') }
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      return { ok: false, needToken: true, ...(token ? { error: e.message || 'That token was not accepted.' } : {}) }
    }
    // A server without /session yet: carry on read-only; a bad token will still show up as 401 on the data.
    if (e instanceof ApiError && e.status === 404) return { ok: true, api, session: { tenant: 'default', scopes: ['read'], auth: token !== undefined } }
    throw e
  }
}

/** Admin actions (approve/reject, drift workflow) are offered only to tokens holding the admin scope. */
export const canAdmin = (session?: Session): boolean => !!session?.scopes.includes('admin')
