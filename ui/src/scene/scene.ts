/**
 * The scene implementation. Each frame: compare the model's versions with what was uploaded and
 * re-upload only that (positions → vertex centres + spatial index; style → the changed colour/info
 * range; structure → everything), write the camera uniforms, re-cull when the view left the culled
 * rectangle, lay out the overlay for what is on screen, render. A camera move alone costs a uniform
 * write and the overlay; it never loops over all nodes. The renderer is started (and its programs
 * compiled) before the scene exists: WebGPU when chosen and it works, else WebGL.
 */
import { Container, type Renderer } from 'pixi.js'
import { NodeFlag, type ClusterCircle, type GraphModel } from '../model/graph-model.ts'
import { SEVERITIES } from '../model/types.ts'
import { drawAtlas } from './atlas.ts'
import { BubbleArrays } from './bubbles.ts'
import { Camera, LOD_THRESHOLDS, withClusters, type Bounds, type Lod } from './camera.ts'
import type { Scene, SceneOptions, SceneView } from './index.ts'
import { attachInteraction } from './interaction.ts'
import { ClusterEdgeArrays } from './cluster-edges.ts'
import { atlasSource, bubbleMesh, cameraUniforms, clusterEdgeMesh, edgeMesh, nodeMesh, upload, type BubbleMesh, type ClusterEdgeMesh, type EdgeMesh, type NodeMesh } from './meshes.ts'
import { collapsedClusters, EdgeArrays, NODE_RADIUS, NodeArrays, texelRuns, writeAllQuads, writeQuad } from './node-buffers.ts'
import { MAX_CARDS, Overlay, type NodeLabel } from './overlay.ts'
import { PALETTES, rgbFloat, type Palette, type Theme } from './palette.ts'
import type { RendererKind } from './renderer-choice.ts'
import { makeRenderer } from './start-renderer.ts'
import { SpatialIndex } from './spatial.ts'

/** Draw everything (no culling) when the view shows at least this share of the graph's box. */
const CULL_ALL_SHARE = 0.35
/** Cull to the view grown by this fraction on each side, so small moves reuse the culled set. */
const CULL_MARGIN = 0.35
/** Hit radius on screen (pixels) for picking small nodes. */
const PICK_PX = 6

type Listener = (...args: never[]) => void

let warm: { host: HTMLElement; renderer: Promise<Renderer> } | undefined

/**
 * Starts the renderer and compiles the scene's programs for `host` while the caller still loads data;
 * the next `createScene` on that host takes it over (and its renderer choice).
 */
export function prewarmScene(host: HTMLElement, options: SceneOptions = {}): Promise<void> {
  const resolution = Math.min(globalThis.devicePixelRatio || 1, 2)
  const renderer = makeRenderer(host, options.theme ?? 'dark', resolution, options.preference)
  warm = { host, renderer }
  return renderer.then(() => undefined)
}

export async function createScene(host: HTMLElement, model: GraphModel, options: SceneOptions = {}): Promise<Scene> {
  const resolution = Math.min(globalThis.devicePixelRatio || 1, 2)
  const theme = options.theme ?? 'dark'
  let renderer: Renderer
  if (warm?.host === host) {
    renderer = await warm.renderer
    renderer.background.color = PALETTES[theme].background
    warm = undefined
  } else renderer = await makeRenderer(host, theme, resolution, options.preference)
  const scene = new PixiScene(host, model, renderer, theme, resolution)
  if (options.interactive !== false) scene.interact()
  scene.requestRender()
  return scene
}

class PixiScene implements Scene {
  readonly renderer: RendererKind
  private readonly camera = new Camera()
  private readonly stage = new Container({ eventMode: 'none', interactiveChildren: false })
  private readonly nodes = new NodeArrays()
  private readonly edges = new EdgeArrays()
  private readonly bubbles = new BubbleArrays()
  private readonly clusterEdges = new ClusterEdgeArrays()
  private readonly spatial = new SpatialIndex()
  private readonly camUniforms = cameraUniforms()
  private readonly nodeMesh: NodeMesh
  private readonly edgeMesh: EdgeMesh
  private bubbleMesh: BubbleMesh
  private readonly clusterEdgeMesh: ClusterEdgeMesh
  private readonly overlay: Overlay
  private palette: Palette
  private seen = { structure: -1, position: -1, style: -1 }
  /**
   * Slots named by style changes since the last sync (live severity batches), or 'all' once a style
   * change named none: the next sync then re-packs only these, uploads only their texels and
   * re-colours only the bubbles whose worst severity moved.
   */
  private restyle: Set<number> | 'all' = new Set()
  private themeDirty = true
  private bounds: Bounds = { minX: 0, minY: 0, maxX: 1, maxY: 1 }
  /**
   * Until the user moves the camera it follows the whole graph: pages and live additions grow the
   * bounds and the view keeps fitting them. Once moved, new bounds keep the world point in view.
   */
  private following = true
  /** Current culling: everything, or the node/edge quads inside `rect`. */
  private cull: { all: boolean; rect?: Bounds; edges: boolean; stale: boolean } = { all: false, edges: false, stale: true }
  private pending = false
  private rafQueued = false
  private microQueued = false
  private lastView = ''
  private hovered = -1
  private readonly listeners = new Map<string, Set<Listener>>()
  private readonly cleanups: Array<() => void> = []
  private destroyed = false

  constructor(private readonly host: HTMLElement, readonly model: GraphModel, private readonly gl: Renderer, theme: Theme, resolution: number) {
    this.renderer = gl.name as RendererKind
    this.palette = PALETTES[theme]
    this.nodes.reserve(Math.max(model.nodeSlots, 1))
    this.edges.reserve(Math.max(model.edgeSlots, 1))
    const atlas = atlasSource(drawAtlas(host.ownerDocument))
    this.bubbleMesh = bubbleMesh(this.bubbles, this.camUniforms)
    this.clusterEdgeMesh = clusterEdgeMesh(this.clusterEdges, this.camUniforms)
    this.clusterEdgeMesh.mesh.visible = false
    this.nodeMesh = nodeMesh(this.nodes, this.camUniforms, atlas)
    this.edgeMesh = edgeMesh(this.edges, this.nodeMesh, this.camUniforms)
    this.nodeMesh.uniforms.uniforms.uRadius = NODE_RADIUS
    this.overlay = new Overlay(this.palette, resolution)
    this.stage.addChild(this.bubbleMesh.mesh, this.clusterEdgeMesh.mesh, this.edgeMesh.mesh, this.nodeMesh.mesh, this.overlay.layer)

    const canvas = gl.canvas as HTMLCanvasElement
    canvas.style.display = 'block'
    host.appendChild(canvas)
    this.camera.setViewport(host.clientWidth || 1, host.clientHeight || 1)
    const resize = new ResizeObserver(() => {
      const w = host.clientWidth, h = host.clientHeight
      if (!w || !h || (w === this.camera.width && h === this.camera.height)) return
      this.gl.resize(w, h)
      this.camera.setViewport(w, h)
      this.cull.stale = true
      this.requestRender()
    })
    resize.observe(host)
    this.cleanups.push(() => resize.disconnect(), model.subscribe((what, slots) => {
      if (what === 'style' && this.restyle !== 'all') {
        if (slots) for (const s of slots) this.restyle.add(s)
        else this.restyle = 'all'
      }
      this.requestRender()
    }))
  }

  interact(): void {
    const canvas = this.gl.canvas as HTMLCanvasElement
    this.cleanups.push(attachInteraction(canvas, {
      camera: this.camera,
      changed: () => { this.following = false; this.requestRender() },
      fit: () => this.fit(),
      hover: (cx, cy) => {
        const slot = this.pick(cx, cy)
        if (slot !== this.hovered) { this.hovered = slot; this.emit('hover', slot, cx, cy) }
      },
      click: (cx, cy) => {
        const slot = this.pick(cx, cy)
        if (slot >= 0) return this.emit('select', slot)
        const cluster = this.pickCluster(cx, cy)
        if (cluster) return this.emit('cluster', cluster)
        this.emit('select', -1)
      },
    }))
    const leave = () => { if (this.hovered !== -1) { this.hovered = -1; this.emit('hover', -1, 0, 0) } }
    canvas.addEventListener('pointerleave', leave)
    this.cleanups.push(() => canvas.removeEventListener('pointerleave', leave))
  }

  // ── camera ──────────────────────────────────────────────────────────────────────────────────────

  setCamera(x: number, y: number, ratio: number): void {
    this.following = false
    this.camera.set(x, y, ratio)
    this.renderSoon()
  }

  view(): SceneView {
    return { x: this.camera.x, y: this.camera.y, ratio: this.camera.ratio, lod: this.camera.lod }
  }

  fit(): void {
    this.following = true
    this.camera.set(0.5, 0.5, 1)
    this.requestRender()
  }

  focus(slot: number, ratio?: number): void {
    const x = this.model.x[slot], y = this.model.y[slot]
    if (x === undefined || y === undefined || Number.isNaN(x)) return
    // Default: close enough for labels.
    const r = ratio ?? Math.min(this.camera.ratio, this.camera.fitScale / (LOD_THRESHOLDS.card * 1.1))
    this.following = false
    this.camera.centreOn(x, y, r)
    this.requestRender()
  }

  // ── picking ─────────────────────────────────────────────────────────────────────────────────────

  private toLocal(clientX: number, clientY: number): { x: number; y: number } {
    const r = (this.gl.canvas as HTMLCanvasElement).getBoundingClientRect()
    return { x: clientX - r.left, y: clientY - r.top }
  }

  pick(clientX: number, clientY: number): number {
    this.sync()
    const p = this.toLocal(clientX, clientY)
    const w = this.camera.screenToWorld(p.x, p.y)
    const scale = this.camera.scale
    const radius = Math.max(NODE_RADIUS * 1.15, PICK_PX / scale)
    return this.spatial.nearest(w.x, w.y, radius, this.model, (s) => !this.nodes.hidden(s))
  }

  pickCluster(clientX: number, clientY: number): ClusterCircle | undefined {
    const p = this.toLocal(clientX, clientY)
    const w = this.camera.screenToWorld(p.x, p.y)
    const depth = this.bubbles.depthFor(this.camera.scale)
    let best: ClusterCircle | undefined
    for (const c of this.model.clusters) {
      if (c.depth > depth && !this.model.collapsed.has(c.key)) continue
      if ((c.x - w.x) ** 2 + (c.y - w.y) ** 2 > c.r * c.r) continue
      if (!best || c.depth > best.depth) best = c
    }
    return best
  }

  screenPositionOf(slot: number): { x: number; y: number } | undefined {
    this.sync()
    if (slot < 0 || slot >= this.model.nodeSlots || this.nodes.hidden(slot)) return undefined
    const s = this.camera.worldToScreen(this.model.x[slot]!, this.model.y[slot]!)
    const r = (this.gl.canvas as HTMLCanvasElement).getBoundingClientRect()
    return { x: s.x + r.left, y: s.y + r.top }
  }

  // ── events, theme, lifecycle ────────────────────────────────────────────────────────────────────

  on(event: 'hover' | 'select' | 'cluster' | 'view', cb: Listener): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(cb)
    return () => set.delete(cb)
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const cb of this.listeners.get(event) ?? []) (cb as (...a: unknown[]) => void)(...args)
  }

  setTheme(theme: Theme): void {
    this.palette = PALETTES[theme]
    this.overlay.setPalette(this.palette)
    this.gl.background.color = this.palette.background
    this.themeDirty = true
    this.requestRender()
  }

  requestRender(): void {
    if (this.destroyed) return
    this.pending = true
    if (this.rafQueued) return
    this.rafQueued = true
    requestAnimationFrame(() => {
      this.rafQueued = false
      if (this.pending) this.frame()
    })
  }

  /** Renders at the end of the current task (the same frame when called from a rAF callback). */
  private renderSoon(): void {
    if (this.destroyed) return
    this.pending = true
    if (this.microQueued) return
    this.microQueued = true
    queueMicrotask(() => {
      this.microQueued = false
      if (this.pending) this.frame()
    })
  }

  destroy(): void {
    this.destroyed = true
    for (const c of this.cleanups.splice(0)) c()
    this.overlay.destroy()
    this.gl.destroy({ removeView: true })
  }

  // ── per frame ───────────────────────────────────────────────────────────────────────────────────

  private frame(): void {
    this.pending = false
    if (this.destroyed) return
    this.sync()
    const lod = this.uniforms()
    this.applyCull(lod)
    this.layoutOverlay(lod)
    this.gl.render(this.stage)
    const v = this.view()
    const key = `${v.x},${v.y},${v.ratio}`
    if (key !== this.lastView) {
      this.lastView = key
      this.emit('view', v)
    }
  }

  /** Uploads what the model's versions say changed since the last frame. */
  private sync(): void {
    const m = this.model, v = m.versions, seen = this.seen
    const structure = v.structure !== seen.structure
    const position = v.position !== seen.position
    const style = v.style !== seen.style
    if (!structure && !position && !style && !this.themeDirty) return
    seen.structure = v.structure; seen.position = v.position; seen.style = v.style

    const nodeShader = this.nodeMesh.mesh.shader!, edgeShader = this.edgeMesh.mesh.shader!
    if (structure || position) {
      this.nodes.fillPositions(m)
      const oldPositions = this.nodeMesh.positions.sync(this.nodes.position, this.nodes.rows)
      if (oldPositions) {
        nodeShader.resources.uPositions = edgeShader.resources.uPositions = this.nodeMesh.positions.source
        oldPositions.destroy()
      }
      if (structure) {
        this.edges.fill(m)
        const oldEnds = this.edgeMesh.ends.sync(this.edges.ends, this.edges.rows)
        if (oldEnds) {
          edgeShader.resources.uEdges = this.edgeMesh.ends.source
          oldEnds.destroy()
        }
      }
      if (position || !this.spatial.addNew(m)) this.spatial.build(m)
      // Far-zoom aggregated edges follow the clusters (positions) and the edges (structure).
      this.clusterEdges.fill(m)
      const ce = this.clusterEdgeMesh
      upload(ce.line, this.clusterEdges.line); upload(ce.info, this.clusterEdges.info); upload(ce.index, this.clusterEdges.index)
      ce.mesh.geometry.indexCount = this.clusterEdges.count * 6
      this.bounds = m.bounds()
      this.rebound(withClusters(this.bounds, m.clusters))
      this.cull.stale = true
    }
    const collapsed = collapsedClusters(m)
    const force = structure || this.themeDirty
    const whole = structure || position || this.themeDirty || this.restyle === 'all'
    const before = this.nodes.style
    if (whole) {
      if (this.nodes.fillStyle(m, this.palette, collapsed, force) || before !== this.nodes.style) this.syncStyle()
    } else if (style && this.restyle !== 'all' && this.restyle.size) {
      const changed = this.nodes.restyle(m, this.palette, collapsed, this.restyle)
      if (changed.length) this.syncStyle(texelRuns(changed))
    }
    this.restyle = new Set()
    const b = this.bubbleMesh
    if (whole) {
      this.bubbles.fill(m.clusters, m.collapsed, this.palette)
      upload(b.circle, this.bubbles.circle); upload(b.color, this.bubbles.color); upload(b.info, this.bubbles.info); upload(b.index, this.bubbles.index)
      b.mesh.geometry.indexCount = this.bubbles.count * 6
      b.mesh.visible = this.bubbles.count > 0
    } else if (style && this.bubbles.recolour(m.clusters, this.palette)) {
      // Whole (a few KB): Pixi keeps one pending range per buffer, so two syncs before a draw
      // (a pick, then the frame) would drop the first range.
      upload(b.color, this.bubbles.color)
    }
    if (this.themeDirty) this.themeUniforms()
    this.themeDirty = false
  }

  /** Uploads the node style texture (only `runs` of it when given), rebinding it when it grew. */
  private syncStyle(runs?: Array<[number, number]>): void {
    const old = this.nodeMesh.style.sync(this.nodes.style, this.nodes.rows, runs)
    if (!old) return
    this.nodeMesh.mesh.shader!.resources.uStyle = this.edgeMesh.mesh.shader!.resources.uStyle = this.nodeMesh.style.source
    old.destroy()
  }

  /** New bounds: a following camera keeps fitting them; a moved one keeps the world point and zoom the user looks at. */
  private rebound(fit: Bounds): void {
    const c = this.camera
    if (this.following) return c.setBounds(fit)
    const wx = c.worldX, wy = c.worldY, scale = c.scale
    c.setBounds(fit)
    c.centreOn(wx, wy, c.fitScale / scale)
  }

  private themeUniforms(): void {
    const p = this.palette
    const n = this.nodeMesh.uniforms.uniforms, e = this.edgeMesh.uniforms.uniforms, b = this.bubbleMesh.uniforms.uniforms
    ;(n.uIcon as Float32Array).set(rgbFloat(p.icon))
    ;(n.uSelected as Float32Array).set(rgbFloat(p.selected))
    ;(n.uHighlighted as Float32Array).set(rgbFloat(p.highlighted))
    ;(n.uMatched as Float32Array).set(rgbFloat(p.matched))
    ;(e.uEdge as Float32Array).set(rgbFloat(p.edge))
    ;(this.clusterEdgeMesh.uniforms.uniforms.uEdge as Float32Array).set(rgbFloat(p.edge))
    ;(e.uEdgeHighlight as Float32Array).set(rgbFloat(p.edgeHighlight))
    ;(b.uFill as Float32Array).set(rgbFloat(p.bubbleFill))
  }

  /** Camera and LOD uniforms; returns the LOD. */
  private uniforms(): Lod {
    const c = this.camera, u = this.camUniforms.uniforms
    const scale = c.scale, lod = c.lod
    ;(u.uCenter as Float32Array)[0] = c.worldX
    ;(u.uCenter as Float32Array)[1] = c.worldY
    u.uScale = scale
    ;(u.uViewport as Float32Array)[0] = c.width
    ;(u.uViewport as Float32Array)[1] = c.height
    const lodValue = lod === 'far' ? 0 : lod === 'mid' ? 1 : 2
    const n = this.nodeMesh.uniforms.uniforms, e = this.edgeMesh.uniforms.uniforms
    n.uLod = lodValue
    n.uMinPx = lod === 'far' ? 1.2 : 2
    e.uLod = lodValue
    e.uWidth = lod === 'near' ? 1.5 : 1
    e.uInset = lod === 'near' ? NODE_RADIUS : 0
    e.uAlpha = lod === 'mid' ? Math.min(0.7, 0.25 + (scale - LOD_THRESHOLDS.mid) / 20) : 0.8
    const depth = this.bubbles.depthFor(scale)
    this.bubbleMesh.uniforms.uniforms.uDepth = depth
    this.clusterEdgeMesh.uniforms.uniforms.uDepth = depth
    this.clusterEdgeMesh.mesh.visible = lod === 'far' && this.clusterEdges.count > 0
    this.camUniforms.update()
    this.nodeMesh.uniforms.update()
    this.edgeMesh.uniforms.update()
    this.bubbleMesh.uniforms.update()
    this.clusterEdgeMesh.uniforms.update()
    return lod
  }

  /**
   * Index buffers: all quads while the view shows much of the graph, else the quads found in a grown
   * view rectangle (flatbush), kept until the view leaves that rectangle or shrinks well inside it.
   */
  private applyCull(lod: Lod): void {
    const wantEdges = lod !== 'far'
    this.edgeMesh.mesh.visible = wantEdges && this.model.edgeCount > 0
    const b = this.bounds, view = this.camera.visibleWorld(0)
    const ix = Math.max(0, Math.min(view.maxX, b.maxX) - Math.max(view.minX, b.minX))
    const iy = Math.max(0, Math.min(view.maxY, b.maxY) - Math.max(view.minY, b.minY))
    const boxArea = Math.max(1e-9, (b.maxX - b.minX) * (b.maxY - b.minY))
    const cull = this.cull
    const nodes = this.nodes, edges = this.edges
    if ((ix * iy) / boxArea >= CULL_ALL_SHARE) {
      if (!cull.all || cull.stale || (wantEdges && !cull.edges)) {
        this.setIndex(this.nodeMesh, nodes.index, writeAllQuads(nodes.index, nodes.count))
        if (wantEdges) this.setIndex(this.edgeMesh, edges.index, writeAllQuads(edges.index, edges.count))
        this.cull = { all: true, edges: wantEdges, stale: false }
      }
      return
    }
    const r = cull.rect
    const inside = r && view.minX >= r.minX && view.maxX <= r.maxX && view.minY >= r.minY && view.maxY <= r.maxY
    const area = (x: Bounds) => (x.maxX - x.minX) * (x.maxY - x.minY)
    if (!cull.all && !cull.stale && inside && area(view) * 6 > area(r) && (cull.edges || !wantEdges)) return
    const rect = this.camera.visibleWorld(CULL_MARGIN)
    const pad = NODE_RADIUS * 2
    rect.minX -= pad; rect.minY -= pad; rect.maxX += pad; rect.maxY += pad
    const slots = this.spatial.searchNodes(rect, this.model)
    for (let k = 0; k < slots.length; k++) writeQuad(nodes.index, k * 6, slots[k]!)
    this.setIndex(this.nodeMesh, nodes.index, slots.length * 6)
    if (wantEdges) {
      const ids = this.spatial.searchEdges(rect)
      for (let k = 0; k < ids.length; k++) writeQuad(edges.index, k * 6, ids[k]!)
      this.setIndex(this.edgeMesh, edges.index, ids.length * 6)
    }
    this.cull = { all: false, rect, edges: wantEdges, stale: false }
  }

  private setIndex(mesh: NodeMesh | EdgeMesh, data: Uint32Array, count: number): void {
    if (mesh.mesh.geometry.indexBuffer.data !== data) mesh.mesh.geometry.indexBuffer.data = data
    upload(mesh.index, data, 0, count * 4)
    mesh.mesh.geometry.indexCount = count
    // indexCount 0 would draw the whole buffer.
    if (count === 0) mesh.mesh.visible = false
    else if (mesh === this.nodeMesh) mesh.mesh.visible = true
  }

  /** Bubble titles at far/mid, node labels or cards at near; only what is on screen, capped. */
  private layoutOverlay(lod: Lod): void {
    const o = this.overlay, c = this.camera, m = this.model
    o.begin(c.width, c.height)
    const scale = c.scale
    if (lod === 'near') {
      const view = c.visibleWorld(0.02)
      const slots = this.spatial.searchNodes(view, m).filter((s) => !this.nodes.hidden(s))
      const lit = NodeFlag.Selected | NodeFlag.Matched | NodeFlag.Highlighted
      const rank = (s: number) => (m.flags[s]! & lit ? 0 : m.severity[s]! > 0 ? 1 : 2)
      slots.sort((a, b) => rank(a) - rank(b) || a - b)
      const cards = scale >= LOD_THRESHOLDS.card
      const r = Math.max(NODE_RADIUS * scale, 2)
      let drawnCards = 0
      for (const s of slots) {
        if (o.full) break
        const d = m.data[s]
        if (!d) continue
        const p = c.worldToScreen(m.x[s]!, m.y[s]!)
        const label: NodeLabel = { x: p.x, y: p.y, r, title: d.label, severity: m.severity[s]!, flagged: (m.flags[s]! & lit) !== 0 }
        if (cards && drawnCards < MAX_CARDS) {
          label.detail = d.driftCount > 0 || m.severity[s]! > 0
            ? `${d.type} · ${SEVERITIES[m.severity[s]!]} · ${d.driftCount || 1} drift${d.driftCount > 1 ? 's' : ''}`
            : `${d.type} · in sync`
          if (o.node(label)) drawnCards++
        } else o.node(label)
      }
    }
    // Bubble titles: the filled depth at far/mid zoom, collapsed bubbles at every zoom.
    if (lod !== 'near' || m.collapsed.size > 0) {
      const depth = lod === 'near' ? -1 : this.bubbles.depthFor(scale)
      const view = c.visibleWorld(0)
      for (const cl of m.clusters) {
        if (o.full) break
        if (cl.depth !== depth && !m.collapsed.has(cl.key)) continue
        if (cl.x + cl.r < view.minX || cl.x - cl.r > view.maxX || cl.y + cl.r < view.minY || cl.y - cl.r > view.maxY) continue
        const rPx = cl.r * scale
        if (rPx < 24) continue
        const p = c.worldToScreen(cl.x, cl.y)
        o.bubble(cl, p.x, p.y, rPx)
      }
    }
    o.end()
  }
}
