/** Starts the placeholder drift list in `doc` (see live.js); returns the SSE connection. */
export function start(doc: Document): EventSource
