/** The resource graph: build it from snapshots, query impact, export Cytoscape JSON. */
export { buildGraph, ResourceGraph, type BuildGraphOptions, type EdgeKind, type GraphEdge, type GraphNode, type ImpactEntry } from './graph.ts'
export { candidateReferences, forEachCandidate, plausibleId, type FoundReference } from './references.ts'
