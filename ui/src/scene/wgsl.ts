/**
 * WGSL counterparts of the GLSL programs in shaders.ts, for Pixi's WebGPU renderer: the same maths line
 * for line, so both renderers draw the same pixels — keep the two files in step. One source per program
 * with entry points `mainVertex` / `mainFragment`.
 *
 * Bindings: group 0 holds the uniform groups (`camera`, then the program's `uniforms`), group 1 the
 * textures. Pixi matches them to the Shader's resources by name, and lays a UniformGroup out in its
 * declaration order, so each struct lists its members in the order meshes.ts declares them. No program
 * declares Pixi's `globalUniforms`/`localUniforms`: the camera is ours and Pixi's transforms are ignored.
 * Data textures are read with textureLoad (rg32float is unfilterable; see meshes.ts), and the atlas with
 * textureSampleLevel, which is allowed under the non-uniform `vRadius` branch where textureSample is not.
 */
import { DATA_TEXTURE_WIDTH } from './node-buffers.ts'

const CAMERA = /* wgsl */ `
struct Camera {
  uCenter: vec2<f32>,
  uScale: f32,
  uViewport: vec2<f32>,
}
@group(0) @binding(0) var<uniform> camera: Camera;
const CULLED = vec4<f32>(2.0, 2.0, 2.0, 1.0);
fn toClip(world: vec2<f32>, offsetPx: vec2<f32>) -> vec4<f32> {
  let px = (world - camera.uCenter) * camera.uScale + offsetPx;
  return vec4<f32>(px.x * 2.0 / camera.uViewport.x, -px.y * 2.0 / camera.uViewport.y, 0.0, 1.0);
}
`

const PULL = /* wgsl */ `
@group(1) @binding(0) var uPositions: texture_2d<f32>;
@group(1) @binding(1) var uStyle: texture_2d<f32>;
const TEX_W: i32 = ${DATA_TEXTURE_WIDTH};
fn texel(i: i32) -> vec2<i32> { return vec2<i32>(i % TEX_W, i / TEX_W); }
fn styleBits(slot: i32) -> i32 { return i32(textureLoad(uStyle, texel(slot), 0).a * 255.0 + 0.5) >> 3u; }
`

export const NODE_WGSL = /* wgsl */ `
${CAMERA}
${PULL}
struct NodeUniforms {
  uRadius: f32,
  uMinPx: f32,
  uLod: f32,
  uIcon: vec3<f32>,
  uSelected: vec3<f32>,
  uHighlighted: vec3<f32>,
  uMatched: vec3<f32>,
}
@group(0) @binding(1) var<uniform> uniforms: NodeUniforms;
@group(1) @binding(2) var uAtlas: texture_2d<f32>;
@group(1) @binding(3) var uAtlasSampler: sampler;

struct NodeOut {
  @builtin(position) position: vec4<f32>,
  @location(0) local: vec2<f32>,
  @location(1) radius: f32,
  @location(2) color: vec4<f32>,
  @location(3) iconUV: vec2<f32>,
  @location(4) @interpolate(flat) bits: i32,
}

@vertex
fn mainVertex(@builtin(vertex_index) vid: u32) -> NodeOut {
  var out: NodeOut;
  let slot = i32(vid >> 2u);
  let corner = i32(vid & 3u);
  let style = textureLoad(uStyle, texel(slot), 0);
  let packed = i32(style.a * 255.0 + 0.5);
  let bits = packed >> 3u;
  out.bits = bits;
  if ((bits & 8) != 0) { out.position = CULLED; return out; }
  let center = textureLoad(uPositions, texel(slot), 0).xy;
  var r = max(uniforms.uRadius * camera.uScale, uniforms.uMinPx);
  if ((bits & 7) != 0) { r = max(r * 1.15, uniforms.uMinPx + 2.0); }
  let c = vec2<f32>(f32(corner & 1), f32(corner >> 1u));
  let extent = r + select(0.0, 3.0, uniforms.uLod > 0.5);
  out.local = (c * 2.0 - 1.0) * extent;
  out.radius = r;
  out.color = vec4<f32>(style.rgb, 1.0);
  out.iconUV = vec2<f32>((f32(packed & 7) + c.x) / 8.0, c.y);
  out.position = toClip(center, out.local);
  return out;
}

@fragment
fn mainFragment(v: NodeOut) -> @location(0) vec4<f32> {
  if (uniforms.uLod < 0.5) { return vec4<f32>(v.color.rgb, 1.0); }
  let d = length(v.local);
  var rgb = v.color.rgb;
  if (v.radius > 5.0) {
    let icon = textureSampleLevel(uAtlas, uAtlasSampler, v.iconUV, 0.0).a;
    rgb = mix(rgb, uniforms.uIcon, icon * 0.85);
  }
  let fill = clamp(v.radius - d + 0.5, 0.0, 1.0);
  var col = vec4<f32>(rgb, 1.0) * fill;
  if ((v.bits & 7) != 0) {
    let selected = (v.bits & 1) != 0;
    let ring = select(select(uniforms.uHighlighted, uniforms.uMatched, (v.bits & 4) != 0), uniforms.uSelected, selected);
    let w = select(1.75, 2.5, selected);
    let a = clamp(1.0 - abs(d - v.radius - w * 0.5) / (w * 0.5 + 0.5), 0.0, 1.0);
    col = mix(col, vec4<f32>(ring, 1.0), a);
  }
  if (col.a < 0.01) { discard; }
  return col;
}
`

export const EDGE_WGSL = /* wgsl */ `
${CAMERA}
${PULL}
@group(1) @binding(2) var uEdges: texture_2d<f32>;
struct EdgeUniforms {
  uWidth: f32,
  uLod: f32,
  uInset: f32,
  uAlpha: f32,
  uEdge: vec3<f32>,
  uEdgeHighlight: vec3<f32>,
}
@group(0) @binding(1) var<uniform> uniforms: EdgeUniforms;

struct EdgeOut {
  @builtin(position) position: vec4<f32>,
  @location(0) t: f32,
  @location(1) @interpolate(flat) vis: i32,
  @location(2) @interpolate(flat) kind: i32,
}

@vertex
fn mainVertex(@builtin(vertex_index) vid: u32) -> EdgeOut {
  var out: EdgeOut;
  let slot = i32(vid >> 2u);
  let k = i32(vid & 3u);
  let e = textureLoad(uEdges, texel(slot), 0).xy;
  let src = i32(e.x + 0.5);
  let packed = i32(e.y + 0.5);
  let dst = packed >> 2u;
  let kind = packed & 3;
  let bs = styleBits(src);
  let bt = styleBits(dst);
  if (kind == 0 || ((bs | bt) & 8) != 0) { out.position = CULLED; return out; }
  let vis = select(1, 3, (bs & 3) != 0 && (bt & 3) != 0);
  out.vis = vis;
  out.kind = kind;
  let a = textureLoad(uPositions, texel(src), 0).xy;
  let b = textureLoad(uPositions, texel(dst), 0).xy;
  let end = f32(k >> 1u);
  let pos = select(b, a, end < 0.5);
  let d = b - a;
  let len = length(d);
  let along = select(vec2<f32>(1.0, 0.0), d / len, len > 0.0);
  let n = vec2<f32>(-along.y, along.x);
  let w = select(uniforms.uWidth, uniforms.uWidth * 2.0, (vis & 2) != 0) * 0.5;
  let side = f32(k & 1) * 2.0 - 1.0;
  let inset = min(uniforms.uInset, len * 0.45);
  let p = pos + along * select(-inset, inset, end < 0.5);
  out.t = end;
  out.position = toClip(p, n * side * w);
  return out;
}

@fragment
fn mainFragment(v: EdgeOut) -> @location(0) vec4<f32> {
  let lit = (v.vis & 2) != 0;
  let rgb = select(uniforms.uEdge, uniforms.uEdgeHighlight, lit);
  var a = uniforms.uAlpha * select(0.9, 0.55, v.kind == 1);
  if (uniforms.uLod > 1.5) { a *= 0.25 + 0.75 * v.t; }
  if (lit) { a = 1.0; }
  return vec4<f32>(rgb * a, a);
}
`

export const BUBBLE_WGSL = /* wgsl */ `
${CAMERA}
struct BubbleUniforms {
  uDepth: f32,
  uFill: vec3<f32>,
}
@group(0) @binding(1) var<uniform> uniforms: BubbleUniforms;

struct BubbleOut {
  @builtin(position) position: vec4<f32>,
  @location(0) local: vec2<f32>,
  @location(1) radius: f32,
  @location(2) color: vec4<f32>,
  @location(3) fill: f32,
}

@vertex
fn mainVertex(@location(0) aCircle: vec4<f32>, @location(1) aColor: vec4<f32>, @location(2) aInfo: vec4<u32>) -> BubbleOut {
  var out: BubbleOut;
  let corner = i32(aInfo.x);
  let collapsed = aInfo.y > 0u;
  let depth = aCircle.w;
  if (!collapsed && depth > uniforms.uDepth + 0.5) { out.position = CULLED; return out; }
  let r = aCircle.z * camera.uScale;
  let c = vec2<f32>(f32(corner & 1), f32(corner >> 1u));
  out.local = (c * 2.0 - 1.0) * (r + 2.0);
  out.radius = r;
  out.color = aColor;
  out.fill = select(select(0.0, 0.35, abs(depth - uniforms.uDepth) < 0.5), 0.9, collapsed);
  out.position = toClip(aCircle.xy, out.local);
  return out;
}

@fragment
fn mainFragment(v: BubbleOut) -> @location(0) vec4<f32> {
  let d = length(v.local);
  let inside = clamp(v.radius - d + 0.5, 0.0, 1.0);
  let ring = clamp(1.0 - abs(d - v.radius + 0.75) / 1.25, 0.0, 1.0);
  var col = vec4<f32>(uniforms.uFill, 1.0) * (inside * v.fill);
  col = mix(col, vec4<f32>(v.color.rgb, 1.0), ring * select(0.45, 0.9, v.fill > 0.0));
  if (col.a < 0.01) { discard; }
  return col;
}
`

export const CLUSTER_EDGE_WGSL = /* wgsl */ `
${CAMERA}
struct ClusterEdgeUniforms {
  uDepth: f32,
  uAlpha: f32,
  uEdge: vec3<f32>,
}
@group(0) @binding(1) var<uniform> uniforms: ClusterEdgeUniforms;

@vertex
fn mainVertex(@location(0) aLine: vec4<f32>, @location(1) aInfo: vec4<f32>) -> @builtin(position) vec4<f32> {
  let corner = i32(aInfo.x + 0.5);
  if (abs(aInfo.y - uniforms.uDepth) > 0.5) { return CULLED; }
  let a = aLine.xy;
  let b = aLine.zw;
  let d = b - a;
  let len = length(d);
  let along = select(vec2<f32>(1.0, 0.0), d / len, len > 0.0);
  let n = vec2<f32>(-along.y, along.x);
  let side = f32(corner & 1) * 2.0 - 1.0;
  let p = select(b, a, (corner >> 1u) == 0);
  return toClip(p, n * side * aInfo.z * 0.5);
}

@fragment
fn mainFragment() -> @location(0) vec4<f32> {
  return vec4<f32>(uniforms.uEdge * uniforms.uAlpha, uniforms.uAlpha);
}
`
