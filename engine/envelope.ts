/** The event envelope every transport delivers (ARCHITECTURE.md "Event envelope"). */

export const TOPICS = ['drifts', 'events', 'state', 'remediations', 'stats', 'metrics', 'system', 'graph'] as const
/** A concrete topic; `all` is a subscription wildcard, never a topic an envelope is published on. */
export type Topic = (typeof TOPICS)[number]
export type SubscriptionTopic = Topic | 'all'

export interface Envelope<T = unknown> {
  /** ULID, unique across the deployment. */
  id: string
  /** Monotonic per (tenant, topic); what clients resume from. Starts at 1. */
  offset: number
  topic: Topic
  /** Dotted event type: `drift.detected`, `change.received`, `system.plugin_restarted`, … */
  type: string
  tenant: string
  /** ISO-8601 UTC. */
  time: string
  data: T
}

/** What a publisher hands to the bus; the bus assigns id, offset and time. */
export interface Publication<T = unknown> {
  topic: Topic
  type: string
  tenant: string
  data: T
  /** Optional caller-chosen id (idempotent publish); a ULID is generated otherwise. */
  id?: string
  time?: string
}

export function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && (TOPICS as readonly string[]).includes(value)
}
