/** The hover card over the canvas: address, type, worst drift. Pointer-transparent so it never steals the hover. */
import type { NodeData } from '../model/types.ts'

export function Tooltip(props: { node: NodeData; x: number; y: number }) {
  return (
    <div class="tooltip" data-testid="tooltip" role="tooltip" style={{ transform: `translate(${props.x + 12}px, ${props.y + 12}px)` }}>
      <div class="mono">{props.node.label}</div>
      <div class="muted">{props.node.type} · {props.node.provider}</div>
      {props.node.severity !== 'none' ? <div class={`sev-${props.node.severity}`}><span class="sev-badge">{props.node.severity}</span> {props.node.driftCount} open drift{props.node.driftCount === 1 ? '' : 's'}</div> : null}
    </div>
  )
}
