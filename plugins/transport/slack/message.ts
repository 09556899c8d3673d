/**
 * Slack messages for a batch of events: one Block Kit digest per batch (Slack allows about one message
 * per second per channel, so a burst of drifts becomes a few digests, not a flood). Each drift shows
 * severity, address, changes expected → actual with secrets masked, the actor and a dashboard link;
 * past `max_items` the digest counts the rest by severity.
 */
import { type Envelope, SEVERITIES, type Drift, type Severity, maskDrift, summarizeEnvelope } from 'tfdrift'

export interface SlackMessage { text: string; blocks: unknown[] }

const ICON: Record<Severity, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:', low: ':large_blue_circle:', info: ':white_circle:' }
const MAX_CHANGES = 5
const MAX_VALUE = 80

/** Slack mrkdwn escaping (only these three are control characters there). */
const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function value(v: unknown): string {
  const text = v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v)
  return esc(text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text)
}

function driftText(raw: Drift, dashboard: string | undefined): string {
  const drift = maskDrift(raw)
  const where = drift.address || `${drift.type} ${drift.resource_id ?? ''}`.trim()
  const lines = [`${ICON[drift.severity] ?? ''} *${drift.severity.toUpperCase()}* ${drift.kind} \`${esc(where)}\``]
  const changes = drift.changes ?? []
  for (const c of changes.slice(0, MAX_CHANGES)) lines.push(`• \`${esc(c.path)}\`: ${value(c.expected)} → ${value(c.actual)}`)
  if (changes.length > MAX_CHANGES) lines.push(`• …and ${changes.length - MAX_CHANGES} more change(s)`)
  const by = drift.actor?.user ? `by *${esc(drift.actor.user)}*${drift.actor.event_name ? ` (${esc(drift.actor.event_name)})` : ''}` : 'actor unknown'
  const link = dashboard ? ` · <${dashboard.replace(/\/$/, '')}/?drift=${encodeURIComponent(drift.id)}|Open in dashboard>` : ''
  return `${lines.join('\n')}\n${by}${link}`.slice(0, 2900)
}

function counts(drifts: Drift[]): string {
  const by = new Map<string, number>()
  for (const d of drifts) by.set(d.severity, (by.get(d.severity) ?? 0) + 1)
  return SEVERITIES.filter((s) => by.has(s)).map((s) => `${by.get(s)} ${s}`).join(', ')
}

/** The digest of one batch. `text` (the notification line) always states how many events it covers. */
export function slackMessage(envelopes: readonly Envelope[], opts: { max_items: number; dashboard_url?: string; tenant: string }): SlackMessage {
  const drifts = envelopes.filter((e) => e.topic === 'drifts' && e.data && typeof (e.data as Drift).severity === 'string').map((e) => e.data as Drift)
  const n = envelopes.length
  const headline = drifts.length === n
    ? `${n} drift${n === 1 ? '' : 's'} in ${opts.tenant}: ${counts(drifts)}`
    : `${n} tfdrift event${n === 1 ? '' : 's'} in ${opts.tenant}`
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150), emoji: true } }]
  for (const env of envelopes.slice(0, opts.max_items)) {
    const text = env.topic === 'drifts' && drifts.includes(env.data as Drift) ? driftText(env.data as Drift, opts.dashboard_url) : `\`${esc(env.type)}\` ${esc(summarizeEnvelope(env))}`
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } })
  }
  if (n > opts.max_items) {
    const rest = drifts.slice(opts.max_items)
    const more = `…and ${n - opts.max_items} more${rest.length ? ` (${counts(rest)})` : ''}`
    const link = opts.dashboard_url ? ` · <${opts.dashboard_url.replace(/\/$/, '')}/|See all in the dashboard>` : ''
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${more}${link}` }] })
  }
  return { text: headline, blocks }
}
