/**
 * The built-in plugins: an explicit list (no folder scan), and the typed config helpers that
 * `tfdrift.config.ts` files import from `tfdrift/plugins`.
 * To add a built-in: import its definition and helper below and append the definition to BUILTIN_PLUGINS.
 */
import type { PluginDefinition } from 'tfdrift'
import demoPlugin, { demo } from './discovery/demo/index.ts'
import cloudtrailPlugin, { cloudtrail } from './sources/cloudtrail/index.ts'
import falcoPlugin, { falco } from './sources/falco/index.ts'
import terraformRemediationPlugin, { terraformRemediation } from './remediation/terraform-remediation/index.ts'
import stdoutPlugin, { stdout } from './transport/stdout/index.ts'
import realtimePlugin, { realtime } from './transport/realtime/index.ts'
import webhookPlugin, { webhook } from './transport/webhook/index.ts'
import slackPlugin, { slack } from './transport/slack/index.ts'
import filePlugin, { file } from './transport/file/index.ts'
import driftPlugin, { drift } from './analysis/drift/index.ts'
import terraformStatePlugin, { terraformState } from './discovery/terraform-state/index.ts'

export const BUILTIN_PLUGINS: PluginDefinition[] = [
  demoPlugin,
  cloudtrailPlugin,
  falcoPlugin,
  terraformRemediationPlugin,
  stdoutPlugin,
  realtimePlugin,
  webhookPlugin,
  slackPlugin,
  filePlugin,
  driftPlugin,
  terraformStatePlugin,
]
export { demo }
export { cloudtrail }
export { falco }
export { terraformRemediation }
export { stdout }
export { realtime }
export { webhook }
export { slack }
export { file }
export { drift }
export { terraformState }
