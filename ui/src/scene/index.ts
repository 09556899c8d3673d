/**
 * The canvas scene: draws a GraphModel with PixiJS (WebGPU where the browser offers it, else WebGL2;
 * see renderer-choice.ts) in batched meshes — cluster bubbles, cluster edges, edges, nodes — plus a
 * screen-space text overlay, with level of detail by zoom, culling and picking
 * through flatbush, and pan/zoom/pinch/keyboard interaction. The Solid shell and the bench page use it
 * only through this module.
 */
import type { ClusterCircle, GraphModel } from '../model/graph-model.ts'
import type { Lod } from './camera.ts'
import type { RendererKind } from './renderer-choice.ts'

export { LOD_THRESHOLDS, RATIO_LIMITS, lodFor, Camera, type Lod } from './camera.ts'
export { FAMILIES, familyOf } from './families.ts'
export { PALETTES, type Theme } from './palette.ts'
export { MAX_LABELS, MAX_CARDS } from './overlay.ts'
export { createScene, prewarmScene } from './scene.ts'
export { forcedRenderer, type RendererKind } from './renderer-choice.ts'

/** The camera in sigma's semantics (see camera.ts) and the level of detail it gives. */
export interface SceneView { x: number; y: number; ratio: number; lod: Lod }

export interface SceneOptions {
  theme?: 'dark' | 'light'
  /** Pan, zoom, keyboard, hover and click handling (default true). */
  interactive?: boolean
  /**
   * Forces a renderer (default: the page's `?renderer=`, else WebGPU when the browser has an adapter).
   * WebGPU that fails falls back to WebGL. Ignored by a createScene that takes over a prewarmed host.
   */
  preference?: RendererKind
}

export interface Scene {
  readonly model: GraphModel
  /** The renderer actually drawing, after any fallback. */
  readonly renderer: RendererKind
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
