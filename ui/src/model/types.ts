/** Shapes shared by the dashboard's data loader, layout, renderer and panels. */

/** Drift severities, least first; index 0 means "no open drift". */
export const SEVERITIES = ['none', 'info', 'low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

/** One resource on the canvas. */
export interface NodeData {
  id: string
  /** Short text on cards and in lists (the address for Terraform resources). */
  label: string
  /** Terraform type (`aws_instance`). */
  type: string
  /** Short provider name (`aws`, `google`). */
  provider: string
  address?: string
  module?: string
  /** `managed`, `data` or `unmanaged` (live, in no state); the bench graph uses its own kinds. */
  kind?: string
  /**
   * Where the node sits in the estate, outermost first: e.g. `['aws', '123456789012', 'eu-west-1', 'module.app']`
   * (cluster bubbles are drawn per prefix). The layout packs nodes with equal paths together.
   */
  group: string[]
  /** Worst open drift on the node (`none` without one). */
  severity: Severity
  driftCount: number
  /** The node as the REST API returned it (resource_id, arn, source, …), for the side panel. */
  raw?: Record<string, unknown>
}

/** Dependent → dependency (`depends_on`, `reference`) or parent → child (`contains`). */
export interface EdgeData {
  id: string
  source: string
  target: string
  kind: string
}

/** One group of the hierarchy as the layout placed it: a circle holding its members. */
export interface ClusterCircle {
  /** The group path joined with `/`. */
  key: string
  /** Last element of the path (what the bubble is labelled with). */
  label: string
  /** Path length (1 = outermost). */
  depth: number
  x: number
  y: number
  r: number
  /** Nodes inside, at any depth. */
  count: number
  /** Worst severity inside (index into SEVERITIES). */
  worst: number
  /** Drifted nodes inside. */
  drifted: number
}
