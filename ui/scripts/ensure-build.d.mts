/** Hash of the dashboard's sources (paths and contents). */
export function sourceHash(): string
/** Builds ui/dist unless its stamp matches the sources; resolves whether it built. */
export function ensureBuild(options?: { quiet?: boolean }): Promise<boolean>
