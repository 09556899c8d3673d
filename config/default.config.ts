// The embedded default that `npm start` runs: a simulated AWS estate of 2,500 Terraform-managed
// resources with engineers changing things out of band every few seconds, drift analysis, remediation
// plans, an SQLite store under .tfdrift/ and the dashboard on http://localhost:8080.
//   TFDRIFT_TOKEN=…  also accept that bearer token (read + publish), e.g. for Falco's http_output
//                    posting to /api/v1/falco/events;
//   TFDRIFT_PORT=…   listen elsewhere than 8080.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'tfdrift'
import { demo, drift, falco, realtime, terraformRemediation } from 'tfdrift/plugins'

const token = process.env.TFDRIFT_TOKEN

export default defineConfig({
  server: {
    port: Number(process.env.TFDRIFT_PORT ?? 8080),
    auth: {
      // The local dashboard reads without a token; publishing always needs one.
      anonymous: { tenant: 'demo', scopes: ['read'] },
      ...(token ? { tokens: [{ token, tenant: 'demo', scopes: ['read', 'publish', 'metrics'], name: 'TFDRIFT_TOKEN' }] } : {}),
    },
  },
  // Relative to the project root (not this folder), whatever the working directory.
  store: { kind: 'sqlite', path: fileURLToPath(new URL('../.tfdrift/tfdrift.db', import.meta.url)) },
  log: { level: 'info' },
  pipelines: {
    demo: {
      tenant: 'demo',
      discovery: [demo({ size: 2500, interval: '4s' })],
      ...(token ? { sources: [falco({ path: '/api/v1/falco/events' })] } : {}),
      analysis: [drift()],
      remediation: [terraformRemediation({ mode: 'propose' })],
      transports: [realtime()],
    },
  },
})
