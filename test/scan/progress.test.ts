/** scan's progress indicator: on stderr, only when stderr is a TTY and the inputs are large. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runScan } from '../../engine/cli/scan.ts'

function bigState(instances: number): string {
  const resources = []
  for (let i = 0; i < instances; i++) {
    resources.push({
      mode: 'managed', type: 'aws_instance', name: `vm${i}`, provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 1, attributes: { id: `i-${i}`, ami: 'ami-123', user_data: 'x'.repeat(800), tags: { Name: `vm${i}` } }, sensitive_attributes: [] }],
    })
  }
  return JSON.stringify({ version: 4, terraform_version: '1.9.0', serial: 1, lineage: 'l', outputs: {}, resources })
}

function capture(isTTY: boolean) {
  let text = ''
  return { isTTY, write: (s: string) => { text += s; return true }, text: () => text }
}

describe('scan progress', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfdrift-progress-'))
  const big = join(dir, 'big.tfstate')
  writeFileSync(big, bigState(10_000)) // ~9 MiB
  const small = join(dir, 'small.tfstate')
  writeFileSync(small, bigState(3))

  it('shows progress on a TTY for large inputs, and clears it before the report', async () => {
    const stdout = capture(false)
    const stderr = capture(true)
    expect(await runScan({ state: [big], live: [big], format: 'json' }, { stdout, stderr })).toBe(0)
    expect(stderr.text()).toMatch(/reading 1\/2: .*big\.tfstate/)
    expect(stderr.text()).toMatch(/reading 2\/2/)
    expect(JSON.parse(stdout.text()).summary.in_sync).toBe(true)
  })

  it('stays silent when stderr is not a TTY, or the input is small', async () => {
    const notTty = capture(false)
    expect(await runScan({ state: [big], live: [big], format: 'json' }, { stdout: capture(false), stderr: notTty })).toBe(0)
    expect(notTty.text()).toBe('')
    const tty = capture(true)
    expect(await runScan({ state: [small], live: [small] }, { stdout: capture(false), stderr: tty })).toBe(0)
    expect(tty.text()).toBe('')
  })
})
