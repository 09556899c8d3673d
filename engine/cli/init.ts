/** `tfdrift init`: writes a commented starter `tfdrift.config.ts` into the current directory. */
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'
import { reportError } from './problems.ts'
import { TfdriftError } from '../errors.ts'

/** The config `tfdrift init` writes: runs as-is on a simulated estate, with the real setup commented beside it. */
export const INIT_TEMPLATE = `// tfdrift.config.ts: written by \`tfdrift init\`.
// Reference: docs/config.md; plugins and their options: \`tfdrift plugins list\`.
// Check it with \`tfdrift validate\`, run it with \`tfdrift run\`.
import { defineConfig } from 'tfdrift'

export default defineConfig({
  // One port for the dashboard, the REST API and the live WS/SSE streams.
  server: {
    port: 8080,
    // Anyone may read; nobody may publish without a token. Read tokens from the environment, never commit them:
    // auth: { tokens: [{ token: process.env.TFDRIFT_TOKEN!, tenant: 'default', scopes: ['read', 'publish'] }] },
    auth: { anonymous: { tenant: 'default', scopes: ['read'] } },
  },
  // Drifts, events and remediation plans survive restarts in this SQLite file.
  store: { kind: 'sqlite', path: '.tfdrift/tfdrift.db' },
  // 'memory' serves one process; { kind: 'redis', url: 'redis://localhost:6379' } shares events between relay nodes.
  bus: { kind: 'memory' },
  pipelines: {
    main: {
      // Where expected and observed state come from. 'demo' simulates an AWS estate with changes over time;
      // for your own infrastructure use: { use: 'terraform-state', with: { paths: ['infra/**/*.tfstate'] } }
      discovery: [{ use: 'demo' }],
      // Change events with who made them, e.g. Falco alerts posted to the server:
      // sources: [{ use: 'falco' }],
      // Compare expected with observed; ignore noisy attributes here.
      analysis: [{ use: 'drift' }],
      // Propose Terraform changes for each drift (nothing is applied without approval):
      // remediation: [{ use: 'terraform-remediation', with: { mode: 'propose' } }],
      // Stream everything to the dashboard and to WS/SSE clients.
      transports: [{ use: 'realtime' }],
    },
  },
})
`

/** Builds the `init` command. */
export function initCommand(): Command {
  return new Command('init')
    .description('Write a commented tfdrift.config.ts into the current directory.')
    .option('-f, --force', 'overwrite an existing tfdrift.config.ts')
    .addHelpText('after', '\nExit codes: 0 written, 1 the file exists (use --force) or could not be written.')
    .action((opts: { force?: boolean }) => {
      try {
        const file = path.join(process.cwd(), 'tfdrift.config.ts')
        if (existsSync(file) && !opts.force) {
          throw new TfdriftError('TFD_ERR_CONFIG_EXISTS', `${file} already exists.`, { hint: 'pass --force to overwrite it' })
        }
        writeFileSync(file, INIT_TEMPLATE)
        process.stdout.write(`Wrote ${file}. Next: \`tfdrift validate\`, then \`tfdrift run\`.\n`)
      } catch (error) {
        process.exitCode = reportError(error)
      }
    })
}
