/**
 * The options schemas of the built-ins are their documentation: every option has a description,
 * examples, and a default (unless it is derived at runtime), and every default and example is itself
 * valid. Compiled with both the draft-07 and the 2020-12 ajv, so either host validator accepts them.
 */
import { describe, expect, it } from 'vitest'
import { Ajv } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { PluginDefinition } from '../../engine/plugin-api.ts'
import demo from '../../plugins/discovery/demo/index.ts'
import cloudtrail from '../../plugins/sources/cloudtrail/index.ts'
import falco from '../../plugins/sources/falco/index.ts'
import remediation from '../../plugins/remediation/terraform-remediation/index.ts'
import stdout from '../../plugins/transport/stdout/index.ts'
import webhook from '../../plugins/transport/webhook/index.ts'
import slack from '../../plugins/transport/slack/index.ts'
import file from '../../plugins/transport/file/index.ts'

/** Options whose value is computed when absent, so they have no static default. */
const DERIVED = new Set(['demo.account_id', 'webhook.url', 'webhook.secret', 'slack.webhook_url', 'slack.token', 'slack.channel'])
/** The least options a plugin with required options validates with. */
const REQUIRED: Record<string, Record<string, unknown>> = { webhook: { url: 'https://hooks.example.com/x' } }

describe.each([demo, cloudtrail, falco, remediation, stdout, webhook, slack, file] as PluginDefinition[])('$name options schema', (plugin) => {
  const schema = plugin.optionsSchema as { properties: Record<string, Record<string, unknown>>; additionalProperties: boolean }

  it('documents every option', () => {
    expect(schema.additionalProperties).toBe(false)
    for (const [name, prop] of Object.entries(schema.properties)) {
      expect(typeof prop.description, `${plugin.name}.${name} description`).toBe('string')
      expect((prop.examples as unknown[] | undefined)?.length, `${plugin.name}.${name} examples`).toBeGreaterThan(0)
      if (!DERIVED.has(`${plugin.name}.${name}`)) expect(prop.default, `${plugin.name}.${name} default`).not.toBeUndefined()
    }
  })

  it.each([['draft-07', () => new Ajv({ strict: false, useDefaults: true })], ['2020-12', () => new Ajv2020({ strict: false, useDefaults: true })]] as const)('compiles with %s ajv; defaults and examples are valid', (_draft, make) => {
    const validate = make().compile(schema)
    const filled: Record<string, unknown> = { ...REQUIRED[plugin.name] }
    expect(validate(filled), JSON.stringify(validate.errors)).toBe(true)
    for (const [name, prop] of Object.entries(schema.properties)) {
      if (prop.default !== undefined) expect(filled[name]).toEqual(prop.default)
      for (const example of (prop.examples as unknown[]) ?? []) expect(validate({ ...REQUIRED[plugin.name], [name]: example }), `${plugin.name}.${name} = ${JSON.stringify(example)}`).toBe(true)
    }
    expect(validate({ ...REQUIRED[plugin.name], no_such_option: 1 })).toBe(false)
  })
})
