#!/usr/bin/env node
// Entry of the `tfdrift` bin: registers tsx so the TypeScript engine runs as-is, then starts the CLI.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../engine/cli/main.ts')
await main(process.argv)
