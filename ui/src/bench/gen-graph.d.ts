/** Types of the copied ui-bench generator (gen-graph.js, a verbatim copy of ../shared/ui-bench/gen-graph.mjs). */
export interface BenchNode { id: string; label: string; type: string; kind: string; provider: string; module: string; severity: string; x: number; y: number; size: number; color: string }
export interface BenchEdge { id: string; source: string; target: string; kind: string }
export interface BenchGraph { nodes: BenchNode[]; edges: BenchEdge[]; meta: Record<string, unknown> }
export const GENERATOR_VERSION: number
export function generateGraph(n: number, seed?: number | string): BenchGraph
