/**
 * Where the bearer token lives: sessionStorage (this tab only, gone when it closes), never
 * localStorage. A `?token=` link is accepted once, stored, and removed from the address bar so it is
 * not bookmarked, shared or left in history.
 */
const KEY = 'tfdrift.token'

/** Takes `?token=` from the URL (then strips it) or the tab's stored token. */
export function initialToken(win: Window = window): string | undefined {
  const url = new URL(win.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    saveToken(fromUrl, win)
    url.searchParams.delete('token')
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  return readToken(win)
}

export function readToken(win: Window = window): string | undefined {
  try {
    return win.sessionStorage.getItem(KEY) ?? undefined
  } catch {
    return undefined
  }
}

export function saveToken(token: string, win: Window = window): void {
  try {
    win.sessionStorage.setItem(KEY, token)
  } catch { /* storage disabled: the token lives for this page only */ }
}

export function clearToken(win: Window = window): void {
  try {
    win.sessionStorage.removeItem(KEY)
  } catch { /* nothing stored */ }
}
