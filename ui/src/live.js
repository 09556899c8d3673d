// The placeholder dashboard: lists drifts live from the SSE stream (`/api/v1/stream?topic=drifts`),
// seeded from the REST API. Plain JS so the unbuilt `ui/` folder works as-is; the SolidJS + Pixi
// dashboard replaces it later.
const MAX_ROWS = 300
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info']

/** Starts listing drifts into the page's `#drifts` table. */
export function start(doc) {
  const params = new URLSearchParams(doc.defaultView.location.search)
  const token = params.get('token')
  const withToken = (url) => (token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url)
  const tbody = doc.getElementById('drifts')
  const status = doc.getElementById('status')
  const count = doc.getElementById('count')
  const rows = new Map()

  const cell = (text, cls) => {
    const td = doc.createElement('td')
    td.textContent = text
    if (cls) td.className = cls
    return td
  }
  const render = (drift, fresh) => {
    const tr = doc.createElement('tr')
    if (drift.status === 'resolved') tr.className = 'resolved'
    else if (fresh) tr.className = 'fresh'
    const paths = (drift.changes || []).map((c) => c.path)
    tr.append(
      cell(drift.severity, `sev ${drift.severity}`),
      cell(drift.kind),
      cell(drift.address || `${drift.type} ${drift.resource_id || ''}`, 'addr'),
      cell(paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` +${paths.length - 3}` : '')),
      cell(drift.actor ? `${drift.actor.user || drift.actor.arn || ''}${drift.actor.event_name ? ` · ${drift.actor.event_name}` : ''}` : ''),
      cell(new Date(drift.detected_at).toLocaleTimeString()),
    )
    return tr
  }
  const upsert = (drift, fresh) => {
    const old = rows.get(drift.id)
    const tr = render(drift, fresh)
    if (old) old.replaceWith(tr)
    else tbody.prepend(tr)
    rows.set(drift.id, tr)
    while (rows.size > MAX_ROWS) {
      const [id, row] = rows.entries().next().value
      row.remove()
      rows.delete(id)
    }
    const open = [...tbody.children].filter((r) => !r.classList.contains('resolved')).length
    count.textContent = `${open} open drift${open === 1 ? '' : 's'}`
  }

  fetch(withToken('/api/v1/drifts?limit=100'))
    .then((r) => r.json())
    .then((body) => {
      const items = (body && body.success && body.data && body.data.items) || []
      items.sort((a, b) => SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity))
      for (const d of items) if (!rows.has(d.id)) upsert(d, false)
    })
    .catch(() => {})

  const source = new EventSource(withToken('/api/v1/stream?topic=drifts'))
  const onEnvelope = (ev) => {
    try {
      const env = JSON.parse(ev.data)
      if (env && env.data && env.data.id) upsert(env.data, true)
    } catch { /* a keep-alive or foreign message */ }
  }
  for (const type of ['drift.detected', 'drift.updated', 'drift.resolved', 'message']) source.addEventListener(type, onEnvelope)
  source.onopen = () => { status.textContent = 'live'; status.className = 'live' }
  source.onerror = () => { status.textContent = 'reconnecting…'; status.className = '' }
  return source
}
