/**
 * GLSL ES 3.0 programs of the three batched meshes. They take the camera as uniforms (centre in world
 * units, pixels per unit, viewport) and ignore Pixi's transforms, so a camera move is a uniform write.
 * Sizes that must stay constant on screen (minimum node size, edge width, rings) are in pixels.
 * wgsl.ts holds the same programs for WebGPU; a change here is made there too.
 */

import { DATA_TEXTURE_WIDTH } from './node-buffers.ts'

/** Shared camera uniforms: world → clip. */
const CAMERA = /* glsl */ `
uniform vec2 uCenter;    // view centre, world units
uniform float uScale;    // pixels per world unit
uniform vec2 uViewport;  // CSS pixels
vec2 toClip(vec2 world, vec2 offsetPx) {
  vec2 px = (world - uCenter) * uScale + offsetPx;
  return vec2(px.x * 2.0 / uViewport.x, -px.y * 2.0 / uViewport.y);
}
`

/** Vertex pulling: per-slot data from the node textures (see node-buffers.ts). */
const PULL = /* glsl */ `
uniform highp sampler2D uPositions;  // rg32float: x, y per node slot
uniform highp sampler2D uStyle;      // rgba8: fill rgb, family | bits << 3
const int TEX_W = ${DATA_TEXTURE_WIDTH};
ivec2 texel(int i) { return ivec2(i % TEX_W, i / TEX_W); }
`

export const NODE_VERTEX = /* glsl */ `#version 300 es
precision highp float;
precision highp int;
${CAMERA}
${PULL}
uniform float uRadius;  // world units
uniform float uMinPx;   // smallest radius on screen
uniform float uLod;     // 0 far, 1 mid, 2 near
out vec2 vLocal;        // pixels from the centre
out float vRadius;
out vec4 vColor;
out vec2 vIconUV;
flat out int vBits;
void main() {
  int slot = gl_VertexID >> 2;
  int corner = gl_VertexID & 3;
  vec4 style = texelFetch(uStyle, texel(slot), 0);
  int packed = int(style.a * 255.0 + 0.5);
  int bits = packed >> 3;
  vBits = bits;
  if ((bits & 8) != 0) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); return; }
  vec2 center = texelFetch(uPositions, texel(slot), 0).xy;
  float r = max(uRadius * uScale, uMinPx);
  if ((bits & 7) != 0) r = max(r * 1.15, uMinPx + 2.0);
  vec2 c = vec2(float(corner & 1), float(corner >> 1));
  float half_ = r + (uLod > 0.5 ? 3.0 : 0.0);
  vLocal = (c * 2.0 - 1.0) * half_;
  vRadius = r;
  vColor = vec4(style.rgb, 1.0);
  vIconUV = vec2((float(packed & 7) + c.x) / 8.0, c.y);
  gl_Position = vec4(toClip(center, vLocal), 0.0, 1.0);
}
`

export const NODE_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vLocal;
in float vRadius;
in vec4 vColor;
in vec2 vIconUV;
flat in int vBits;
uniform sampler2D uAtlas;
uniform float uLod;
uniform vec3 uIcon;
uniform vec3 uSelected;
uniform vec3 uHighlighted;
uniform vec3 uMatched;
out vec4 finalColor;
void main() {
  if (uLod < 0.5) { finalColor = vec4(vColor.rgb, 1.0); return; }   // far: a flat point
  float d = length(vLocal);
  float aa = 1.0;
  vec3 rgb = vColor.rgb;
  if (vRadius > 5.0) {
    float icon = texture(uAtlas, vIconUV).a;
    rgb = mix(rgb, uIcon, icon * 0.85);
  }
  float fill = clamp(vRadius - d + 0.5, 0.0, 1.0);
  vec4 col = vec4(rgb, 1.0) * fill;
  if ((vBits & 7) != 0) {
    vec3 ring = (vBits & 1) != 0 ? uSelected : (vBits & 4) != 0 ? uMatched : uHighlighted;
    float w = (vBits & 1) != 0 ? 2.5 : 1.75;
    float a = clamp(1.0 - abs(d - vRadius - w * 0.5) / (w * 0.5 + aa * 0.5), 0.0, 1.0);
    col = mix(col, vec4(ring, 1.0), a);
  }
  if (col.a < 0.01) discard;
  finalColor = col;
}
`

export const EDGE_VERTEX = /* glsl */ `#version 300 es
precision highp float;
precision highp int;
${CAMERA}
${PULL}
uniform highp sampler2D uEdges;  // rg32float: source slot, target slot * 4 + kind
uniform float uWidth;   // pixels
uniform float uLod;
uniform float uInset;   // world units cut at each end (node radius), so the gradient meets the disc
out float vT;           // 0 at the source, 1 at the target
flat out int vVis;      // 1 shown, 2 highlighted
flat out int vKind;
void main() {
  int slot = gl_VertexID >> 2;
  int k = gl_VertexID & 3;
  vec2 e = texelFetch(uEdges, texel(slot), 0).xy;
  int source = int(e.x + 0.5);
  int packed = int(e.y + 0.5);
  int target = packed >> 2;
  int kind = packed & 3;
  int bs = int(texelFetch(uStyle, texel(source), 0).a * 255.0 + 0.5) >> 3;
  int bt = int(texelFetch(uStyle, texel(target), 0).a * 255.0 + 0.5) >> 3;
  if (kind == 0 || ((bs | bt) & 8) != 0) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); return; }
  int vis = ((bs & 3) != 0 && (bt & 3) != 0) ? 3 : 1;
  vVis = vis;
  vKind = kind;
  vec2 a = texelFetch(uPositions, texel(source), 0).xy;
  vec2 b = texelFetch(uPositions, texel(target), 0).xy;
  float end = float(k >> 1);
  vec2 pos = end < 0.5 ? a : b;
  vec2 d = b - a;
  float len = length(d);
  vec2 along = len > 0.0 ? d / len : vec2(1.0, 0.0);   // source → target
  vec2 n = vec2(-along.y, along.x);
  float w = ((vis & 2) != 0 ? uWidth * 2.0 : uWidth) * 0.5;
  float side = float(k & 1) * 2.0 - 1.0;
  float inset = min(uInset, len * 0.45);
  vec2 p = pos + along * (end < 0.5 ? inset : -inset);
  vT = end;
  gl_Position = vec4(toClip(p, n * side * w), 0.0, 1.0);
}
`

export const EDGE_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in float vT;
flat in int vVis;
flat in int vKind;
uniform vec3 uEdge;
uniform vec3 uEdgeHighlight;
uniform float uLod;
uniform float uAlpha;
out vec4 finalColor;
void main() {
  vec3 rgb = (vVis & 2) != 0 ? uEdgeHighlight : uEdge;
  float a = uAlpha * (vKind == 1 ? 0.55 : 0.9);
  // Near: direction as a gradient, faint at the source and full at the target.
  if (uLod > 1.5) a *= 0.25 + 0.75 * vT;
  if ((vVis & 2) != 0) a = 1.0;
  finalColor = vec4(rgb * a, a);
}
`

export const BUBBLE_VERTEX = /* glsl */ `#version 300 es
precision highp float;
in vec4 aCircle;        // x, y, r (world), depth
in vec4 aColor;         // ring colour (worst drift inside, or neutral)
in vec4 aInfo;          // corner, collapsed, spare, spare
${CAMERA}
uniform float uDepth;   // depth whose bubbles are filled
out vec2 vLocal;        // pixels from the centre
out float vRadius;      // pixels
out vec4 vColor;
out float vFill;
void main() {
  int corner = int(aInfo.x + 0.5);
  bool collapsed = aInfo.y > 0.5;
  float depth = aCircle.w;
  if (!collapsed && depth > uDepth + 0.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); return; }
  float r = aCircle.z * uScale;
  vec2 c = vec2(float(corner & 1), float(corner >> 1));
  vLocal = (c * 2.0 - 1.0) * (r + 2.0);
  vRadius = r;
  vColor = aColor;
  vFill = collapsed ? 0.9 : abs(depth - uDepth) < 0.5 ? 0.35 : 0.0;
  gl_Position = vec4(toClip(aCircle.xy, vLocal), 0.0, 1.0);
}
`

export const BUBBLE_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vLocal;
in float vRadius;
in vec4 vColor;
in float vFill;
uniform vec3 uFill;
out vec4 finalColor;
void main() {
  float d = length(vLocal);
  float inside = clamp(vRadius - d + 0.5, 0.0, 1.0);
  float ring = clamp(1.0 - abs(d - vRadius + 0.75) / 1.25, 0.0, 1.0);
  vec4 col = vec4(uFill, 1.0) * (inside * vFill);
  col = mix(col, vec4(vColor.rgb, 1.0), ring * (vFill > 0.0 ? 0.9 : 0.45));
  if (col.a < 0.01) discard;
  finalColor = col;
}
`

/** Far zoom: one line per pair of filled-depth bubbles with edges between them (cluster-edges.ts). */
export const CLUSTER_EDGE_VERTEX = /* glsl */ `#version 300 es
precision highp float;
in vec4 aLine;          // x1, y1, x2, y2 (world)
in vec4 aInfo;          // corner, depth, width px, spare
${CAMERA}
uniform float uDepth;   // depth whose bubbles are filled
void main() {
  int corner = int(aInfo.x + 0.5);
  if (abs(aInfo.y - uDepth) > 0.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); return; }
  vec2 a = aLine.xy, b = aLine.zw;
  vec2 d = b - a;
  float len = length(d);
  vec2 along = len > 0.0 ? d / len : vec2(1.0, 0.0);
  vec2 n = vec2(-along.y, along.x);
  float side = float(corner & 1) * 2.0 - 1.0;
  vec2 p = (corner >> 1) == 0 ? a : b;
  gl_Position = vec4(toClip(p, n * side * aInfo.z * 0.5), 0.0, 1.0);
}
`

export const CLUSTER_EDGE_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
uniform vec3 uEdge;
uniform float uAlpha;
out vec4 finalColor;
void main() {
  finalColor = vec4(uEdge * uAlpha, uAlpha);
}
`
