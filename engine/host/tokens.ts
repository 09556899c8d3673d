/** Injection tokens for the services a plugin context is built from (explicit: no decorator metadata under tsx). */
export const TOKENS = {
  Logger: Symbol.for('tfdrift.Logger'),
  Bus: Symbol.for('tfdrift.Bus'),
  Store: Symbol.for('tfdrift.Store'),
  Clock: Symbol.for('tfdrift.Clock'),
  Metrics: Symbol.for('tfdrift.Metrics'),
  Signal: Symbol.for('tfdrift.AbortSignal'),
  Demand: Symbol.for('tfdrift.Demand'),
  Ingress: Symbol.for('tfdrift.Ingress'),
  NodeInfo: Symbol.for('tfdrift.NodeInfo'),
  PluginContext: Symbol.for('tfdrift.PluginContext'),
} as const
