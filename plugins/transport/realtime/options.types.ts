// Generated from options.schema.json by `npm run docs`; do not edit by hand.

/** Marks a pipeline as served live over WebSocket (/ws) and SSE (/api/v1/stream). The server itself (port, auth, limits, history) is configured under `server` in the config; this transport has no options of its own. */
export type Options = Record<string, never>
