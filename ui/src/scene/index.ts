/**
 * The canvas scene: draws a GraphModel with PixiJS (WebGL) in three batched meshes — cluster bubbles,
 * edges, nodes — plus a screen-space text overlay, with level of detail by zoom, culling and picking
 * through flatbush, and pan/zoom/pinch/keyboard interaction. The Solid shell and the bench page use it
 * only through this module.
 */
import type { ClusterCircle, GraphModel } from '../model/graph-model.ts'
import type { Lod } from './camera.ts'

export { LOD_THRESHOLDS, RATIO_LIMITS, lodFor, Camera, type Lod } from './camera.ts'
export { FAMILIES, familyOf } from './families.ts'
export { PALETTES, type Theme } from './palette.ts'
export { MAX_LABELS, MAX_CARDS } from './overlay.ts'
export { createScene, prewarmScene } from './scene.ts'

/** The camera in sigma's semantics (see camera.ts) and the level of detail it gives. */
export interface SceneView { x: number; y: number; ratio: number; lod: Lod }

export interface SceneOptions {
  theme?: 'dark' | 'light'
  /** Pan, zoom, keyboard, hover and click handling (default true). */
  interactive?: boolean
  /** Only WebGL is implemented; 'webgpu' is accepted and falls back to WebGL. */
  preference?: 'webgl' | 'webgpu'
}

export interface Scene {
  readonly model: GraphModel
  /** 'webgl' (or 'webgpu' once supported). */
  readonly renderer: string
  /** Sets the view; renders in this frame (a microtask) or the next. */
  setCamera(x: number, y: number, ratio: number): void
  view(): SceneView
  fit(): void
  /** Centres on a node (jump-to), optionally at a zoom. */
  focus(slot: number, ratio?: number): void
  /** Node slot under a client point (spatial index, not Pixi events), or -1. */
  pick(clientX: number, clientY: number): number
  /** The innermost shown cluster bubble under a client point. */
  pickCluster(clientX: number, clientY: number): ClusterCircle | undefined
  /** A node's position in client coordinates (tests, tooltips); undefined when not laid out or hidden. */
  screenPositionOf(slot: number): { x: number; y: number } | undefined
  on(event: 'hover', cb: (slot: number, clientX: number, clientY: number) => void): () => void
  on(event: 'select', cb: (slot: number) => void): () => void
  on(event: 'cluster', cb: (cluster: ClusterCircle) => void): () => void
  on(event: 'view', cb: (view: SceneView) => void): () => void
  setTheme(theme: 'dark' | 'light'): void
  requestRender(): void
  destroy(): void
}
