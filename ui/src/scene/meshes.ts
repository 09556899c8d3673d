/**
 * The batched Pixi meshes (bubbles, cluster edges, edges, nodes) over the typed arrays of
 * node-buffers.ts, bubbles.ts and cluster-edges.ts: custom Geometry + Shader, one non-instanced indexed
 * draw each; nodes and edges read their per-slot data from data textures. Instanced draws are
 * avoided on purpose (SwiftShader runs instances one by one; plain quads cost the same on a GPU).
 * Every shader carries a GLSL program (shaders.ts) and a WGSL one (wgsl.ts), so it draws under
 * Pixi's WebGL and WebGPU renderers alike.
 */
import { Buffer, BufferImageSource, BufferUsage, Geometry, GlProgram, GpuProgram, Mesh, Rectangle, Shader, Texture, UniformGroup, type TextureSource } from 'pixi.js'
import type { BubbleArrays } from './bubbles.ts'
import type { ClusterEdgeArrays } from './cluster-edges.ts'
import { DATA_TEXTURE_WIDTH, type EdgeArrays, type NodeArrays } from './node-buffers.ts'
import { BUBBLE_FRAGMENT, BUBBLE_VERTEX, CLUSTER_EDGE_FRAGMENT, CLUSTER_EDGE_VERTEX, EDGE_FRAGMENT, EDGE_VERTEX, NODE_FRAGMENT, NODE_VERTEX } from './shaders.ts'
import { BUBBLE_WGSL, CLUSTER_EDGE_WGSL, EDGE_WGSL, NODE_WGSL } from './wgsl.ts'

const EVERYWHERE = new Rectangle(-1e9, -1e9, 2e9, 2e9)

function buffer(data: Float32Array | Uint32Array, index = false): Buffer {
  return new Buffer({ data, usage: (index ? BufferUsage.INDEX : BufferUsage.VERTEX) | BufferUsage.COPY_DST })
}

/** Points a Pixi buffer at (possibly reallocated) data and uploads `[fromByte, toByte)` of it. */
export function upload(target: Buffer, data: Float32Array | Uint32Array, fromByte = 0, toByte = data.byteLength): void {
  if (target.data !== data) {
    target.data = data // reallocates on the GPU and uploads everything
    return
  }
  if (toByte > fromByte) target.update(toByte - fromByte, fromByte)
}

function mesh(geometry: Geometry, shader: Shader): Mesh<Geometry, Shader> {
  const m = new Mesh({ geometry, shader })
  m.boundsArea = EVERYWHERE // the camera culls, not Pixi; never walk 100k vertices for bounds
  m.eventMode = 'none'
  return m
}

/**
 * A shader for both renderers. `unfilterable` names the rg32float data textures: WebGPU binds them
 * only as 'unfilterable-float' (Pixi's layout from the WGSL says 'float', which needs the optional
 * float32-filterable feature); the WGSL reads them with textureLoad, as the GLSL does with texelFetch.
 */
function shader(name: string, glsl: { vertex: string; fragment: string }, wgsl: string, resources: Record<string, unknown>, unfilterable: string[] = []): Shader {
  const gpuProgram = GpuProgram.from({ name, vertex: { source: wgsl, entryPoint: 'mainVertex' }, fragment: { source: wgsl, entryPoint: 'mainFragment' } })
  for (const b of gpuProgram.structsAndGroups.groups) {
    const entry = unfilterable.includes(b.name) ? gpuProgram.gpuLayout[b.group]?.find((e) => e.binding === b.binding) : undefined
    if (entry?.texture) entry.texture.sampleType = 'unfilterable-float'
  }
  return new Shader({ glProgram: GlProgram.from({ ...glsl, name }), gpuProgram, resources })
}

/**
 * Geometry of a mesh whose shader pulls everything by vertex index (see node-buffers.ts). It carries
 * one attribute no shader reads: Pixi 8.22's WebGPU pipeline cache keys an attribute-less geometry and
 * program both by the empty string, whose id can equal another mesh's pair (the bubbles'), and then
 * binds that mesh's vertex buffers. The attribute gives the layout a key of its own; it is never bound.
 */
function pulledGeometry(index: Buffer): Geometry {
  return new Geometry({ attributes: { aUnread: { buffer: buffer(new Float32Array(4)), format: 'float32' } }, indexBuffer: index })
}

/** Camera uniforms shared by the three shaders. */
export function cameraUniforms(): UniformGroup {
  return new UniformGroup({
    uCenter: { value: new Float32Array(2), type: 'vec2<f32>' },
    uScale: { value: 1, type: 'f32' },
    uViewport: { value: new Float32Array([1, 1]), type: 'vec2<f32>' },
  })
}

/** A data texture over a typed array (nearest, no premultiply, no mipmaps); re-created when the array grows. */
export class DataTexture {
  source: BufferImageSource
  constructor(private data: Float32Array | Uint8Array, rows: number, private readonly format: 'rg32float' | 'rgba8unorm') {
    this.source = this.make(data, rows)
  }

  private make(data: Float32Array | Uint8Array, rows: number): BufferImageSource {
    return new BufferImageSource({
      resource: data, width: DATA_TEXTURE_WIDTH, height: rows, format: this.format,
      alphaMode: 'no-premultiply-alpha', scaleMode: 'nearest', autoGenerateMipmaps: false,
    })
  }

  /**
   * Uploads `data` (only the `[from, to)` texel runs given, when they are). When it is a new (grown)
   * array, makes a new source and returns the old one: the caller rebinds `source` in its shaders,
   * then destroys the old one.
   */
  sync(data: Float32Array | Uint8Array, rows: number, runs?: ReadonlyArray<readonly [number, number]>): BufferImageSource | undefined {
    if (data !== this.data) {
      const old = this.source
      this.data = data
      this.source = this.make(data, rows)
      return old
    }
    // Pixi uploads each range at once (texSubImage2D / writeTexture), so several per frame all land.
    if (runs) for (const [from, to] of runs) this.source.update(from, to)
    else this.source.update()
    return undefined
  }
}

export interface NodeMesh { mesh: Mesh<Geometry, Shader>; positions: DataTexture; style: DataTexture; index: Buffer; uniforms: UniformGroup }

export function nodeMesh(arrays: NodeArrays, camera: UniformGroup, atlas: TextureSource): NodeMesh {
  const index = buffer(arrays.index, true)
  const positions = new DataTexture(arrays.position, arrays.rows, 'rg32float')
  const style = new DataTexture(arrays.style, arrays.rows, 'rgba8unorm')
  const geometry = pulledGeometry(index)
  const uniforms = new UniformGroup({
    uRadius: { value: 0.42, type: 'f32' },
    uMinPx: { value: 1.2, type: 'f32' },
    uLod: { value: 0, type: 'f32' },
    uIcon: { value: new Float32Array(3), type: 'vec3<f32>' },
    uSelected: { value: new Float32Array(3), type: 'vec3<f32>' },
    uHighlighted: { value: new Float32Array(3), type: 'vec3<f32>' },
    uMatched: { value: new Float32Array(3), type: 'vec3<f32>' },
  })
  const program = shader('tfdrift-nodes', { vertex: NODE_VERTEX, fragment: NODE_FRAGMENT }, NODE_WGSL,
    { camera, uniforms, uAtlas: atlas, uAtlasSampler: atlas.style, uPositions: positions.source, uStyle: style.source }, ['uPositions'])
  return { mesh: mesh(geometry, program), positions, style, index, uniforms }
}

export interface EdgeMesh { mesh: Mesh<Geometry, Shader>; ends: DataTexture; index: Buffer; uniforms: UniformGroup }

export function edgeMesh(arrays: EdgeArrays, nodes: NodeMesh, camera: UniformGroup): EdgeMesh {
  const index = buffer(arrays.index, true)
  const ends = new DataTexture(arrays.ends, arrays.rows, 'rg32float')
  const geometry = pulledGeometry(index)
  const uniforms = new UniformGroup({
    uWidth: { value: 1, type: 'f32' },
    uLod: { value: 1, type: 'f32' },
    uInset: { value: 0, type: 'f32' },
    uAlpha: { value: 0.6, type: 'f32' },
    uEdge: { value: new Float32Array(3), type: 'vec3<f32>' },
    uEdgeHighlight: { value: new Float32Array(3), type: 'vec3<f32>' },
  })
  const program = shader('tfdrift-edges', { vertex: EDGE_VERTEX, fragment: EDGE_FRAGMENT }, EDGE_WGSL,
    { camera, uniforms, uEdges: ends.source, uPositions: nodes.positions.source, uStyle: nodes.style.source }, ['uPositions', 'uEdges'])
  return { mesh: mesh(geometry, program), ends, index, uniforms }
}

export interface BubbleMesh { mesh: Mesh<Geometry, Shader>; circle: Buffer; color: Buffer; info: Buffer; index: Buffer; uniforms: UniformGroup }

export function bubbleMesh(arrays: BubbleArrays, camera: UniformGroup): BubbleMesh {
  const circle = buffer(arrays.circle.length ? arrays.circle : new Float32Array(16))
  const color = buffer(arrays.color.length ? arrays.color : new Uint32Array(4))
  const info = buffer(arrays.info.length ? arrays.info : new Uint32Array(4))
  const index = buffer(arrays.index.length ? arrays.index : new Uint32Array(6), true)
  const geometry = new Geometry({
    attributes: {
      aCircle: { buffer: circle, format: 'float32x4' },
      aColor: { buffer: color, format: 'unorm8x4' },
      aInfo: { buffer: info, format: 'uint8x4' },
    },
    indexBuffer: index,
  })
  const uniforms = new UniformGroup({
    uDepth: { value: 1, type: 'f32' },
    uFill: { value: new Float32Array(3), type: 'vec3<f32>' },
  })
  const program = shader('tfdrift-bubbles', { vertex: BUBBLE_VERTEX, fragment: BUBBLE_FRAGMENT }, BUBBLE_WGSL, { camera, uniforms })
  return { mesh: mesh(geometry, program), circle, color, info, index, uniforms }
}

export interface ClusterEdgeMesh { mesh: Mesh<Geometry, Shader>; line: Buffer; info: Buffer; index: Buffer; uniforms: UniformGroup }

/** The far-zoom aggregated edges: one batched quad per cluster pair and depth. */
export function clusterEdgeMesh(arrays: ClusterEdgeArrays, camera: UniformGroup): ClusterEdgeMesh {
  const line = buffer(arrays.line.length ? arrays.line : new Float32Array(16))
  const info = buffer(arrays.info.length ? arrays.info : new Float32Array(16))
  const index = buffer(arrays.index.length ? arrays.index : new Uint32Array(6), true)
  const geometry = new Geometry({
    attributes: {
      aLine: { buffer: line, format: 'float32x4' },
      aInfo: { buffer: info, format: 'float32x4' },
    },
    indexBuffer: index,
  })
  const uniforms = new UniformGroup({
    uDepth: { value: 1, type: 'f32' },
    uAlpha: { value: 0.55, type: 'f32' },
    uEdge: { value: new Float32Array(3), type: 'vec3<f32>' },
  })
  const program = shader('tfdrift-cluster-edges', { vertex: CLUSTER_EDGE_VERTEX, fragment: CLUSTER_EDGE_FRAGMENT }, CLUSTER_EDGE_WGSL, { camera, uniforms })
  return { mesh: mesh(geometry, program), line, info, index, uniforms }
}

/** The icon atlas as a texture source (linear filtering, so shrunk glyphs stay smooth). */
export function atlasSource(canvas: HTMLCanvasElement): TextureSource {
  const texture = Texture.from(canvas)
  texture.source.scaleMode = 'linear'
  return texture.source
}
